"""Run the Great Expectations suites of one layer inside the dbt build (from a dbt Python model).

The suites of `checks/suites.py` are validated by Great Expectations on the tables dbt has just built;
the outcome of every expectation becomes a row of the model's table (`audit.expectations_<layer>`), and
the generic dbt test `great_expectations_suite` on each checked table fails when its suite has a failed
expectation (or did not run). Because those tests run inside the same `dbt build`, a failed suite on a
silver table makes dbt skip the gold models built from it, like any other dbt test: no second dbt
invocation is needed to put the checks between silver and gold.

With DuckDB, the suites are validated in a worker process (`checks/ge_worker.py`) that the Dagster step
starts before dbt (or dbt itself when it opens the warehouse, outside Dagster), so that the Great
Expectations import is done on the other core while dbt builds bronze and silver; without one (Snowflake
runs the Python models in Snowpark), in the model's own process.
"""

from __future__ import annotations

import atexit
import os
import pickle
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from typing import Any, BinaryIO

RESULT_COLUMNS = ("suite", "expectation", "column_name", "success", "unexpected_count", "rows_validated")


def _frame(relation: Any, columns: list[str]) -> Any:
    """The checked columns of a dbt relation as pandas: DuckDB relation locally, Snowpark DataFrame in Snowflake."""
    if hasattr(relation, "project"):  # duckdb.DuckDBPyRelation
        return relation.project(", ".join(f'"{name}"' for name in columns)).df()
    frame = relation.select(*[name.upper() for name in columns]).to_pandas()  # Snowpark: upper-case identifiers
    frame.columns = [str(name).lower() for name in frame.columns]
    return frame


WORKER_SOCKET_ENV = "PIPELINE_GE_WORKER_SOCKET"


class ValidationWorker:
    """The dbt process's handle on the GE worker (`checks/ge_worker.py`), one request at a time.

    `ValidationWorker()` starts a worker of its own (its pipes are the streams); `ValidationWorker.connect`
    reaches the one the Dagster step started before dbt.
    """

    def __init__(self, requests: BinaryIO | None = None, replies: BinaryIO | None = None) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        if requests is None or replies is None:
            command = [sys.executable, "-m", "reference_pipeline.checks.ge_worker"]
            self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            requests, replies = self._process.stdin, self._process.stdout
        self._requests: BinaryIO = requests  # type: ignore[assignment]
        self._replies: BinaryIO = replies  # type: ignore[assignment]
        self._layout: dict[tuple[str, str], list[str]] | None = None
        atexit.register(self.close)

    @classmethod
    def connect(cls, path: str, timeout: float = 60.0) -> ValidationWorker:
        """Connect to the worker listening on `path` (it may still be starting)."""
        deadline = time.monotonic() + timeout
        while True:
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                client.connect(path)
                break
            except OSError as error:
                client.close()
                if time.monotonic() > deadline:
                    message = f"no Great Expectations worker on {path} ({WORKER_SOCKET_ENV}): {error}"
                    raise RuntimeError(message) from None
                time.sleep(0.05)
        return cls(client.makefile("wb"), client.makefile("rb"))

    def _reply(self) -> Any:
        try:
            return pickle.load(self._replies)
        except EOFError:
            code = self._process.wait() if self._process else None
            raise RuntimeError(
                f"the Great Expectations worker (reference_pipeline.checks.ge_worker) stopped (exit code {code}); "
                "its error is in the output above"
            ) from None

    def suite_columns(self) -> dict[tuple[str, str], list[str]]:
        """(schema, table) -> checked columns of every suite (sent by the worker when it is ready)."""
        if self._layout is None:
            self._layout = self._reply()
        return self._layout

    def validate(self, schema: str, table: str, frame: Any) -> Any:
        self.suite_columns()
        pickle.dump((schema, table, frame), self._requests)
        self._requests.flush()
        return self._reply()

    def close(self) -> None:
        if not self._requests.closed:
            self._requests.close()
        if self._process is not None:
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()


_worker: ValidationWorker | None = None


def start_worker() -> None:
    """Reach the worker the Dagster step started, or start one now (dbt-duckdb plugin start-up)."""
    global _worker
    if _worker is None:
        path = os.environ.get(WORKER_SOCKET_ENV)
        _worker = ValidationWorker.connect(path) if path else ValidationWorker()


def validate_layer(layer: str, relations: Mapping[str, Any]) -> Any:
    """Validate every suite of `layer` whose table is in `relations` (table -> relation); one row per expectation."""
    if _worker is not None:
        columns = {table: names for (schema, table), names in _worker.suite_columns().items() if schema == layer}

        def run(table: str) -> Any:
            return _worker.validate(layer, table, _frame(relations[table], columns[table]))  # type: ignore[union-attr]
    else:
        from reference_pipeline.checks.expectations import validate
        from reference_pipeline.checks.suites import suites

        by_table = {suite.table: suite for suite in suites() if suite.schema == layer}
        columns = {table: suite.columns for table, suite in by_table.items()}

        def run(table: str) -> Any:
            return validate(by_table[table], _frame(relations[table], columns[table]))

    rows: list[dict[str, object]] = []
    for table in columns:
        if table not in relations:
            raise ValueError(
                f"audit.expectations_{layer}: no dbt.ref() for {layer}.{table}, whose suite {layer}_{table} "
                f"must run; fix: add it to models/audit/expectations_{layer}.py"
            )
        outcome = run(table)
        rows += [
            {
                "suite": outcome.suite,
                "expectation": item.expectation,
                "column_name": item.column,
                "success": item.success,
                "unexpected_count": item.unexpected_count,
                "rows_validated": outcome.rows,
            }
            for item in outcome.outcomes
        ]
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    return frame.astype({"unexpected_count": "Int64", "rows_validated": "int64", "success": "bool"})
