"""Dagster asset checks, blocking: the Great Expectations suites on silver and gold, row-count anomalies on gold.

Both run after the dbt build in the same run. `great_expectations` validates every suite in SQL on the
warehouse (`checks/expectations.py`) in one step, one check per suite's table; a failed suite (silver or
gold) fails that step, and Dagster skips what depends on the gold tables' checks: the serving file, the
Snowflake publish (`publish/gold`) and the DataHub metadata. Gold may be built (into `gold_audit` on
Snowflake), it is never published. `row_count_anomaly` needs the run history, which only Dagster has.
"""

from collections.abc import Iterator, Sequence

import dagster as dg

from reference_pipeline.checks.outcomes import SuiteOutcome
from reference_pipeline.checks.suites import SUITES
from reference_pipeline.dbt_meta import pii_columns
from reference_pipeline.settings import load_settings
from reference_pipeline.warehouse import Warehouse

GOLD_TABLES = ("customers", "policies", "claims", "premiums_monthly", "ref_postal_codes")
# A cumulative mart that loses more than this share of its rows, or grows more than this factor, is an anomaly.
MAX_SHRINK = 0.10
MAX_GROWTH = 10.0
GE_CHECK = "great_expectations"


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


def check_result(outcome: SuiteOutcome, docs: str | None) -> dg.AssetCheckResult:
    """The Dagster result of one suite: its verdict, the failed expectations with their samples, Data Docs."""
    metadata: dict[str, dg.RawMetadataValue] = {
        "suite": outcome.suite,
        "rows_validated": dg.MetadataValue.int(outcome.rows or 0),
        "expectations": dg.MetadataValue.int(len(outcome.outcomes)),
        "execution_engine": outcome.engine,
        "failed_expectations": dg.MetadataValue.json([item.as_dict() for item in outcome.failed]),
    }
    if docs:
        metadata["data_docs"] = dg.MetadataValue.url(docs) if docs.startswith("http") else dg.MetadataValue.path(docs)
    layer, table = outcome.table.split(".", 1)
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey([layer, table]),
        check_name=GE_CHECK,
        passed=outcome.success,
        description=outcome.describe(),
        metadata=metadata,
    )


def _ge_specs() -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            name=GE_CHECK,
            asset=dg.AssetKey([suite.schema, suite.table]),
            description=f"Great Expectations suite {suite.name}, validated in SQL on the warehouse.",
            blocking=True,
        )
        for suite in SUITES
    ]


@dg.multi_asset_check(specs=_ge_specs(), name="great_expectations_suites", can_subset=False)
def great_expectations_suites(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse
) -> Iterator[dg.AssetCheckResult]:
    """Every suite in one step (one GE context, one Data Docs build); a failed suite fails the step."""
    from reference_pipeline.assets.dbt import read_manifest
    from reference_pipeline.checks import data_docs
    from reference_pipeline.checks.expectations import validate_suites

    settings = load_settings()
    docs_dir = settings.data_docs_dir
    pii = pii_columns(read_manifest())
    outcomes, index = validate_suites(warehouse.sql_target(), SUITES, pii, docs_dir)
    docs = str(index) if index else None
    if index and settings.data_docs_account_url:
        # The verdicts stand whether or not the site reaches Blob Storage: a failed upload is an error in the
        # run's log, and the checks then link the pod-local copy.
        try:
            docs = data_docs.upload(docs_dir, settings.data_docs_account_url, settings.data_docs_container)
        except Exception as error:  # azure-core, azure-identity and network errors alike
            context.log.error(f"Data Docs not uploaded to {settings.data_docs_account_url}: {error!r}")
    context.log.info(f"Data Docs: {docs}")
    for outcome in outcomes:
        yield check_result(outcome, docs)


def row_count_checks() -> list[dg.AssetChecksDefinition]:
    return [row_count_check(table) for table in GOLD_TABLES]


def all_checks() -> Sequence[dg.AssetChecksDefinition]:
    return [great_expectations_suites, *row_count_checks()]
