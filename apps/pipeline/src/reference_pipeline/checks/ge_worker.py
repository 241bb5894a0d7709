"""A Great Expectations worker process for the dbt build: `python -m reference_pipeline.checks.ge_worker`.

Importing Great Expectations costs seconds of CPU. Done in a process of its own that starts before dbt
needs it, it happens on the other core while dbt starts and builds bronze and silver, instead of in the dbt
process between silver and gold, where it would also compete with the normalisation UDFs for the GIL. The
dbt Python models send it each table's checked columns and get the suite's outcome back (`checks/in_dbt.py`).

- `--socket PATH`: started by the Dagster dbt step before dbt (`assets/dbt.py`); listens on a Unix socket
  (`PIPELINE_GE_WORKER_SOCKET` tells dbt where) and exits when its standard input closes (its parent is gone).
- no argument: started by the dbt process itself (dbt-duckdb plugin start-up, `dbt build` outside Dagster);
  serves its standard input/output and exits at end of input.

Protocol, pickles over a stream pair: the worker first sends `{(schema, table): [columns]}` of every suite,
then answers each `(schema, table, frame)` with a `SuiteOutcome`.
"""

from __future__ import annotations

import os
import pickle
import socket
import sys
import threading
from typing import Any, BinaryIO


def _suites() -> tuple[Any, dict[tuple[str, str], Any]]:
    from reference_pipeline.checks.expectations import validate
    from reference_pipeline.checks.suites import suites

    return validate, {(suite.schema, suite.table): suite for suite in suites()}


def serve(requests: BinaryIO, replies: BinaryIO) -> None:
    validate, by_key = _suites()
    pickle.dump({key: suite.columns for key, suite in by_key.items()}, replies)
    replies.flush()
    while True:
        try:
            schema, table, frame = pickle.load(requests)
        except EOFError:
            return
        validate, by_key = _suites()  # GE expectation objects are mutable: fresh suites for each validation
        pickle.dump(validate(by_key[(schema, table)], frame), replies)
        replies.flush()


def _exit_when_orphaned() -> None:
    sys.stdin.buffer.read()  # returns when the parent closes the pipe or exits
    os._exit(0)


def serve_socket(path: str) -> None:
    """Serve one client at a time on a Unix socket, until standard input closes."""
    threading.Thread(target=_exit_when_orphaned, daemon=True).start()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)  # before the slow import: a client may connect now and wait for the first reply
    server.listen()
    _suites()
    while True:
        connection, _ = server.accept()
        with connection, connection.makefile("rb") as requests, connection.makefile("wb") as replies:
            serve(requests, replies)


def main(argv: list[str]) -> int:
    # Replies go to the original stdout; anything a library prints goes to stderr, not into the protocol.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    if argv[:1] == ["--socket"] and len(argv) == 2:
        serve_socket(argv[1])
    else:
        serve(sys.stdin.buffer, replies)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
