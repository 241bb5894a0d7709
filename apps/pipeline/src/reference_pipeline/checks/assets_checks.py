"""Dagster asset checks on gold: row-count anomalies between runs (blocking).

The other checks run inside `dbt build` (dbt tests, and the Great Expectations suites through
`checks/in_dbt.py`), where a failure on silver makes dbt skip gold. These need the run history, which
only Dagster has: a failure blocks the serving file and DataHub (Dagster skips the downstream assets),
and the result is recorded as the check's result (also sent to DataHub).
"""

from collections.abc import Sequence

import dagster as dg

from reference_pipeline.warehouse import Warehouse

GOLD_TABLES = ("customers", "policies", "claims", "premiums_monthly", "ref_postal_codes")
# A cumulative mart that loses more than this share of its rows, or grows more than this factor, is an anomaly.
MAX_SHRINK = 0.10
MAX_GROWTH = 10.0


def previous_row_count(instance: dg.DagsterInstance, key: dg.AssetKey) -> int | None:
    """The row count of the materialisation before the latest one (None without history)."""
    records = instance.fetch_materializations(key, limit=2).records
    if len(records) < 2 or records[1].asset_materialization is None:
        return None
    value = records[1].asset_materialization.metadata.get("dagster/row_count")
    return int(value.value) if value is not None else None  # type: ignore[arg-type]


def judge_row_count(current: int, previous: int | None) -> tuple[bool, str]:
    """Anomaly rule for cumulative marts: never empty, no large drop, no explosion."""
    if current == 0:
        return False, "the table is empty"
    if previous is None or previous == 0:
        return True, f"{current} rows (no earlier run to compare with)"
    if current < previous * (1 - MAX_SHRINK):
        return False, f"{current} rows, down from {previous}: more than {MAX_SHRINK:.0%} of the rows disappeared"
    if current > previous * MAX_GROWTH:
        return False, f"{current} rows, up from {previous}: more than {MAX_GROWTH:g}x in one run"
    return True, f"{current} rows (previous run {previous})"


def row_count_check(table: str) -> dg.AssetChecksDefinition:
    key = dg.AssetKey(["gold", table])

    @dg.asset_check(
        asset=key,
        name="row_count_anomaly",
        description=f"gold.{table} is not empty, lost at most {MAX_SHRINK:.0%} and grew at most {MAX_GROWTH:g}x.",
        blocking=True,
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        current = int(warehouse.scalar(f"select count(*) from {warehouse.gold_schema}.{table}") or 0)
        previous = previous_row_count(context.instance, key)
        passed, description = judge_row_count(current, previous)
        return dg.AssetCheckResult(
            passed=passed,
            description=description,
            metadata={"row_count": dg.MetadataValue.int(current), "previous_row_count": previous or 0},
        )

    return _check


def all_checks() -> Sequence[dg.AssetChecksDefinition]:
    return [row_count_check(table) for table in GOLD_TABLES]
