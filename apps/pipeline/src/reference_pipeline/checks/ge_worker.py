"""A Great Expectations worker process for the dbt build: `python -m reference_pipeline.checks.ge_worker`.

The dbt process starts it when it opens the warehouse (dbt-duckdb plugin `reference_pipeline.dbt_udfs`), so
that importing Great Expectations (seconds of CPU) happens on the other core while the bronze and silver
models run, instead of in the dbt process between silver and gold, where it would also compete with the
normalisation UDFs for the GIL. The Python models then send it each table's checked columns and get the
suite's outcome back (`checks/in_dbt.py`).

Protocol, pickles over a pipe pair: the worker first sends `{(schema, table): [columns]}` of every suite,
then answers each `(schema, table, frame)` with a `SuiteOutcome`; it exits at end of input.
"""

from __future__ import annotations

import os
import pickle
import sys


def serve(requests: object, replies: object) -> None:
    from reference_pipeline.checks.expectations import validate
    from reference_pipeline.checks.suites import suites

    by_table = {(suite.schema, suite.table): suite for suite in suites()}
    pickle.dump({key: suite.columns for key, suite in by_table.items()}, replies)  # type: ignore[arg-type]
    replies.flush()  # type: ignore[attr-defined]
    while True:
        try:
            schema, table, frame = pickle.load(requests)  # type: ignore[arg-type]
        except EOFError:
            return
        pickle.dump(validate(by_table[(schema, table)], frame), replies)  # type: ignore[arg-type]
        replies.flush()  # type: ignore[attr-defined]


def main() -> int:
    # Replies go to the original stdout; anything a library prints goes to stderr, not into the protocol.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, replies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
