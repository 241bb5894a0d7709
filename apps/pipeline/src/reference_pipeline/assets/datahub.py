"""Send dataset metadata, lineage and the latest check results to DataHub after gold is built.

acryl-datahub is imported when the asset runs, not when the code location loads (it is slow to import).
"""

import os
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from reference_pipeline.assets.dbt import dbt_build, read_manifest, translator
from reference_pipeline.checks.assets_checks import GOLD_TABLES, all_checks
from reference_pipeline.owners import pipeline_owner
from reference_pipeline.settings import load_settings
from reference_pipeline.warehouse import Warehouse

if TYPE_CHECKING:
    from reference_pipeline import lineage

OWNER = pipeline_owner()


def _check_specs() -> list[dg.AssetCheckSpec]:
    specs = list(dbt_build.check_specs)
    for checks_def in all_checks():
        specs += list(checks_def.check_specs)
    return specs


def latest_check_outcomes(instance: dg.DagsterInstance) -> list["lineage.CheckOutcome"]:
    """The last evaluation of every check of this code location (checks never run are left out)."""
    from reference_pipeline import lineage

    specs = {spec.key: spec for spec in _check_specs()}
    records = instance.event_log_storage.get_latest_asset_check_execution_by_key(list(specs))
    outcomes: list[lineage.CheckOutcome] = []
    for key, record in sorted(records.items(), key=lambda item: item[0].to_user_string()):
        evaluation = record.event.asset_check_evaluation if record.event else None
        if evaluation is None:
            continue
        outcomes.append(
            lineage.CheckOutcome(
                table=".".join(key.asset_key.path),
                name=key.name,
                passed=bool(evaluation.passed),
                description=evaluation.description or specs[key].description or "",
            )
        )
    return outcomes


def namespace() -> "lineage.Namespace":
    """The URN namespace of this deployment: DuckDB file `warehouse` locally, the Snowflake database in the cloud."""
    from reference_pipeline import lineage

    settings = load_settings()
    if settings.is_local:
        return lineage.Namespace("duckdb", "warehouse", settings.datahub_env, settings.datahub_platform_instance)
    return lineage.Namespace(
        "snowflake", settings.snowflake_database, settings.datahub_env, settings.datahub_platform_instance
    )


def asset_tables(manifest: dict) -> dict[dg.AssetKey, str]:
    """The table (`schema.table`, as its DataHub dataset is named) of each dbt source and model asset."""
    from reference_pipeline import lineage

    return {
        translator.get_asset_key(node): lineage.node_table(node)
        for node in [*manifest["sources"].values(), *manifest["nodes"].values()]
        if node["resource_type"] in {"source", "model"}
    }


def send(mcps: list, file_sink: Path) -> str:
    """To DataHub GMS when DATAHUB_GMS_URL is set (the cluster), else to a file sink; returns where."""
    from reference_pipeline import lineage

    settings = load_settings()
    if settings.datahub_gms_url:
        lineage.emit_to_gms(mcps, settings.datahub_gms_url, os.environ.get("DATAHUB_GMS_TOKEN"))
        return settings.datahub_gms_url
    lineage.write_file_sink(mcps, file_sink)
    return str(file_sink)


@dg.run_failure_sensor(
    name="datahub_run_failures",
    description="A failed run still reports its check results to DataHub (the metadata asset is skipped then).",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=60,
)
def datahub_run_failures(context: dg.RunFailureSensorContext) -> None:
    """The metadata asset depends on gold, so a failed check skips it: send the latest check results here."""
    from reference_pipeline import lineage

    settings = load_settings()
    checks = latest_check_outcomes(context.instance)
    mcps = lineage.assertion_mcps(namespace(), checks)
    destination = send(mcps, settings.lineage_file.with_name("run-failures.json"))
    failed = sum(not check.passed for check in checks)
    context.log.info(f"{len(checks)} check results ({failed} failed) sent to {destination}")


@dg.asset(
    key=["datahub", "metadata"],
    deps=[dg.AssetKey(["gold", table]) for table in GOLD_TABLES],
    description="Datasets, schemas, owners, classification, lineage and check results sent to DataHub.",
    group_name="metadata",
    kinds={"datahub"},
    owners=[OWNER],
)
def datahub_metadata(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from reference_pipeline import lineage

    settings = load_settings()
    manifest = read_manifest()
    tables = set(asset_tables(manifest).values())
    column_types = {table: warehouse.table_columns(*table.split(".", 1)) for table in sorted(tables)}
    reference = context.instance.get_latest_materialization_event(dg.AssetKey(["raw", "postal_codes"]))
    extra: dict[str, dict[str, str]] = {}
    if reference and reference.asset_materialization:
        md5 = reference.asset_materialization.metadata.get("dvc_md5")
        if md5 is not None:
            extra["raw.postal_codes"] = {"dvc_md5": str(md5.value)}
    checks = latest_check_outcomes(context.instance)
    mcps = lineage.build_mcps(manifest, namespace(), column_types, checks, extra)
    destination = send(mcps, settings.lineage_file)
    return dg.MaterializeResult(
        metadata={
            "destination": destination,
            "datasets": dg.MetadataValue.int(len(tables)),
            "aspects": dg.MetadataValue.int(len(mcps)),
            "checks_reported": dg.MetadataValue.int(len(checks)),
            "checks_failed": dg.MetadataValue.int(sum(not check.passed for check in checks)),
        }
    )
