"""Dagster asset checks on silver and gold: Great Expectations suites and row-count anomalies.

All are blocking: when one fails on a silver table, the gold step does not run (Dagster skips the
downstream assets), and the failure is recorded as the check's result (also sent to DataHub).
"""

from collections.abc import Sequence

import dagster as dg

from reference_pipeline.checks.expectations import validate
from reference_pipeline.checks.suites import Suite, suites
from reference_pipeline.warehouse import Warehouse

GOLD_TABLES = ("customers", "policies", "claims", "premiums_monthly", "ref_postal_codes")
# A cumulative mart that loses more than this share of its rows, or grows more than this factor, is an anomaly.
MAX_SHRINK = 0.10
MAX_GROWTH = 10.0


def _select(suite: Suite) -> str:
    columns = ", ".join(f'"{name}"' for name in suite.columns)
    return f"select {columns} from {suite.schema}.{suite.table}"


def expectation_check(suite: Suite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey([suite.schema, suite.table]),
        name=f"great_expectations_{suite.table}",
        description=f"Great Expectations suite {suite.name}: {len(suite.expectations)} expectations.",
        blocking=True,
    )
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        outcome = validate(suite, warehouse.query_df(_select(suite)))
        failed = [f"{o.expectation}({o.column or ''}): {o.unexpected_count} unexpected" for o in outcome.failed]
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(failed) if failed else f"{len(outcome.outcomes)} expectations met",
            metadata={
                "rows_validated": dg.MetadataValue.int(outcome.rows),
                "expectations": dg.MetadataValue.json([o.as_dict() for o in outcome.outcomes]),
            },
        )

    return _check


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
        current = int(warehouse.scalar(f"select count(*) from gold.{table}") or 0)
        previous = previous_row_count(context.instance, key)
        passed, description = judge_row_count(current, previous)
        return dg.AssetCheckResult(
            passed=passed,
            description=description,
            metadata={"row_count": dg.MetadataValue.int(current), "previous_row_count": previous or 0},
        )

    return _check


def all_checks() -> Sequence[dg.AssetChecksDefinition]:
    return [expectation_check(suite) for suite in suites()] + [row_count_check(table) for table in GOLD_TABLES]
