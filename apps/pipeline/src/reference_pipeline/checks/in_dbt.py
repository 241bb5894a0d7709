"""Run the Great Expectations suites of one layer inside the dbt build (from a dbt Python model).

The suites of `checks/suites.py` are validated by Great Expectations on the tables dbt has just built;
the outcome of every expectation becomes a row of the model's table (`audit.expectations_<layer>`), and
the generic dbt test `great_expectations_suite` on each checked table fails when its suite has a failed
expectation (or did not run). Because those tests run inside the same `dbt build`, a failed suite on a
silver table makes dbt skip the gold models built from it, like any other dbt test: no second dbt
invocation is needed to put the checks between silver and gold.

With DuckDB, the suites are validated in a worker process (`checks/ge_worker.py`) that the dbt process
starts when it opens the warehouse, so the Great Expectations import is done by the time silver is built;
without one (Snowflake runs the Python models in Snowpark), in the model's own process.
"""

from __future__ import annotations

import atexit
import pickle
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

RESULT_COLUMNS = ("suite", "expectation", "column_name", "success", "unexpected_count", "rows_validated")


def _frame(relation: Any, columns: list[str]) -> Any:
    """The checked columns of a dbt relation as pandas: DuckDB relation locally, Snowpark DataFrame in Snowflake."""
    if hasattr(relation, "project"):  # duckdb.DuckDBPyRelation
        return relation.project(", ".join(f'"{name}"' for name in columns)).df()
    frame = relation.select(*[name.upper() for name in columns]).to_pandas()  # Snowpark: upper-case identifiers
    frame.columns = [str(name).lower() for name in frame.columns]
    return frame


class ValidationWorker:
    """The dbt process's handle on the GE worker process (one request at a time)."""

    def __init__(self) -> None:
        command = [sys.executable, "-m", "reference_pipeline.checks.ge_worker"]
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._layout: dict[tuple[str, str], list[str]] | None = None
        atexit.register(self.close)

    def _reply(self) -> Any:
        assert self._process.stdout is not None
        try:
            return pickle.load(self._process.stdout)
        except EOFError:
            code = self._process.wait()
            raise RuntimeError(
                f"the Great Expectations worker (reference_pipeline.checks.ge_worker) exited with code {code}; "
                "its error is in the dbt output above"
            ) from None

    def suite_columns(self) -> dict[tuple[str, str], list[str]]:
        """(schema, table) -> checked columns of every suite (sent by the worker when it is ready)."""
        if self._layout is None:
            self._layout = self._reply()
        return self._layout

    def validate(self, schema: str, table: str, frame: Any) -> Any:
        assert self._process.stdin is not None
        self.suite_columns()
        pickle.dump((schema, table, frame), self._process.stdin)
        self._process.stdin.flush()
        return self._reply()

    def close(self) -> None:
        if self._process.stdin and not self._process.stdin.closed:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()


_worker: ValidationWorker | None = None


def start_worker() -> None:
    """Start the GE worker now (dbt-duckdb plugin start-up), so that it is ready when the suites run."""
    global _worker
    if _worker is None:
        _worker = ValidationWorker()


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
