"""Run the Great Expectations suites of one layer inside the dbt build (from a dbt Python model).

The suites of `checks/suites.py` are validated by Great Expectations on the tables dbt has just built;
the outcome of every expectation becomes a row of the model's table (`audit.expectations_<layer>`), and
the generic dbt test `great_expectations_suite` on each checked table fails when its suite has a failed
expectation (or did not run). Because those tests run inside the same `dbt build`, a failed suite on a
silver table makes dbt skip the gold models built from it, like any other dbt test: no second dbt
invocation is needed to put the checks between silver and gold.
"""

from __future__ import annotations

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


def validate_layer(layer: str, relations: Mapping[str, Any]) -> Any:
    """Validate every suite of `layer` whose table is in `relations` (table -> relation); one row per expectation."""
    import pandas as pd

    from reference_pipeline.checks.expectations import validate
    from reference_pipeline.checks.suites import suites

    rows: list[dict[str, object]] = []
    for suite in suites():
        if suite.schema != layer:
            continue
        if suite.table not in relations:
            raise ValueError(
                f"audit.expectations_{layer}: no dbt.ref() for {layer}.{suite.table}, whose suite {suite.name} "
                f"must run; fix: add it to models/audit/expectations_{layer}.py"
            )
        outcome = validate(suite, _frame(relations[suite.table], suite.columns))
        rows += [
            {
                "suite": suite.name,
                "expectation": item.expectation,
                "column_name": item.column,
                "success": item.success,
                "unexpected_count": item.unexpected_count,
                "rows_validated": outcome.rows,
            }
            for item in outcome.outcomes
        ]
    frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    return frame.astype({"unexpected_count": "Int64", "rows_validated": "int64", "success": "bool"})
