"""The Dagster code location: `dagster api grpc -m reference_pipeline.definitions` (Helm user deployment).

Locally (DBT_TARGET=duckdb) every step shares one DuckDB file, so steps run one after the other in the
run's process; in the cloud the run launcher (K8sRunLauncher) starts one pod per run.
"""

from __future__ import annotations

import os

import dagster as dg

from reference_pipeline.assets.datahub import datahub_metadata, datahub_run_failures
from reference_pipeline.assets.dbt import dbt_build, dbt_resource
from reference_pipeline.assets.raw import external_raw_specs, raw_drops, raw_postal_codes
from reference_pipeline.assets.serving import publish_audited_gold, serving_gold
from reference_pipeline.checks.assets_checks import all_checks
from reference_pipeline.sensors import JOB_NAME, datahub_jobs_sensor, producer_drops
from reference_pipeline.settings import load_settings
from reference_pipeline.warehouse import DuckDBWarehouse, SnowflakeWarehouse

LOCAL_ASSETS = [raw_drops, raw_postal_codes, dbt_build, serving_gold, datahub_metadata]

# One run at a time: the QueuedRunCoordinator of platform/dagster limits this tag to 1 (a second run of the
# hourly schedule waits instead of building gold over the first one).
EXCLUSIVE_TAG = {"platform.example/exclusive": "reference-pipeline"}
STOPPED = dg.DefaultScheduleStatus.STOPPED

reference_pipeline_job = dg.define_asset_job(
    JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Raw drops and references to gold, with checks and DataHub metadata.",
    tags=EXCLUSIVE_TAG,
)


def after_publish(asset: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """In the cloud DataHub describes the published gold (`publish/gold`), so it runs after the swap."""
    publish = dg.AssetDep(publish_audited_gold.key)
    return asset.map_asset_specs(lambda spec: spec.replace_attributes(deps=[*spec.deps, publish]))


def build_definitions() -> dg.Definitions:
    settings = load_settings()
    if settings.is_local:
        assets: list = LOCAL_ASSETS
        warehouse = DuckDBWarehouse(path=str(settings.warehouse_path))
    else:
        # Snowflake: raw drops exist upstream, the DVC reference is loaded from the image, gold is built in
        # the audit schema and published once checked.
        assets = [
            *external_raw_specs(),
            raw_postal_codes,
            dbt_build,
            publish_audited_gold,
            after_publish(datahub_metadata),
        ]
        warehouse = SnowflakeWarehouse.from_environment()
    sensors = [datahub_run_failures, producer_drops]
    if settings.datahub_gms_url:  # the cluster: DataHub also sees the Dagster jobs and their runs
        token = os.environ.get("DATAHUB_GMS_TOKEN")
        sensors.append(
            datahub_jobs_sensor(
                settings.datahub_gms_url, token, settings.datahub_env, settings.datahub_platform_instance
            )
        )
    return dg.Definitions(
        assets=assets,
        asset_checks=all_checks(),
        jobs=[reference_pipeline_job],
        schedules=[
            dg.ScheduleDefinition(
                job=reference_pipeline_job,
                cron_schedule="15 * * * *",
                name="hourly_drops",
                # On in the cluster (nothing would run otherwise); off on a laptop, where `make up` runs it.
                default_status=STOPPED if settings.is_local else dg.DefaultScheduleStatus.RUNNING,
            )
        ],
        sensors=sensors,
        resources={"dbt": dbt_resource(), "warehouse": warehouse},
        executor=dg.in_process_executor if settings.is_local else dg.multiprocess_executor,
    )


defs = build_definitions()
