"""Runs triggered by producers, not only by the clock: the `producer_drops` sensor.

Locally the producers land files in the landing folder, and a run is due when a complete file is not yet in
the `loaded_files` metadata of its raw asset. In the cloud Snowpipe fills the raw tables, and a run is due
when the newest `_loaded_at` of a raw table moved since the last request. Either way the run key names
what was delivered, so one delivery starts one run however often the sensor ticks.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg

from reference_pipeline import ingestion
from reference_pipeline.assets.raw import RAW_ENTITIES, previously_loaded, raw_key
from reference_pipeline.settings import load_settings
from reference_pipeline.warehouse import Warehouse

JOB_NAME = "reference_pipeline"


def landed_not_loaded(instance: dg.DagsterInstance, landing_dir: Path) -> list[str]:
    """`<entity>/<file>` of every complete landed file no raw materialisation has loaded yet."""
    new: list[str] = []
    for entity in RAW_ENTITIES:
        loaded = previously_loaded(instance, raw_key(entity))
        new += [
            f"{entity}/{path.name}" for path in ingestion.landed_files(landing_dir, entity) if path.name not in loaded
        ]
    return new


def raw_watermarks(warehouse: Warehouse) -> dict[str, str | None]:
    """The newest `_loaded_at` of each raw drop table (Snowpipe's progress), as text."""
    marks: dict[str, str | None] = {}
    for entity in RAW_ENTITIES:
        value = warehouse.scalar(f"select max(_loaded_at) from raw.{entity}")
        marks[entity] = None if value is None else str(value)
    return marks


def _key(kind: str, payload: object) -> str:
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]
    return f"{kind}-{digest}"


@dg.sensor(
    job_name=JOB_NAME,
    minimum_interval_seconds=120,
    description="Starts the pipeline when producers deliver: new landed files (local), new raw rows (Snowflake).",
    default_status=dg.DefaultSensorStatus.STOPPED if load_settings().is_local else dg.DefaultSensorStatus.RUNNING,
)
def producer_drops(context: dg.SensorEvaluationContext, warehouse: Warehouse) -> dg.RunRequest | dg.SkipReason:
    settings = load_settings()
    if settings.is_local:
        new = landed_not_loaded(context.instance, settings.landing_dir)
        if not new:
            return dg.SkipReason("no landed file waits to be loaded")
        return dg.RunRequest(run_key=_key("files", new), tags={"producer_drops": ",".join(new)[:200]})
    marks = raw_watermarks(warehouse)
    key = _key("watermarks", marks)
    if key == context.cursor or not any(marks.values()):
        return dg.SkipReason("no new raw rows since the last request")
    context.update_cursor(key)
    return dg.RunRequest(run_key=key, tags={"producer_drops": "raw watermarks moved"})


def datahub_jobs_sensor(gms_url: str, token: str | None, env: str, instance: str | None) -> dg.SensorDefinition:
    """The Dagster DataHub plugin's sensor: each run becomes DataHub job entities (DataFlow `reference_pipeline`,
    a DataJob per step, run instances) in the env's fabric, each step's DataJob reading and writing the tables
    the metadata asset describes (`job_lineage.extract`). Only in the cluster, where GMS is reachable (the plugin
    imports acryl-datahub, which the code location otherwise loads lazily)."""
    from datahub.ingestion.graph.config import DatahubClientConfig
    from datahub_dagster_plugin.client.dagster_generator import DatahubDagsterSourceConfig
    from datahub_dagster_plugin.sensors.datahub_sensors import make_datahub_sensor

    from reference_pipeline import job_lineage

    config = DatahubDagsterSourceConfig(
        datahub_client_config=DatahubClientConfig(server=gms_url, token=token),
        env=env,
        platform_instance=instance,
        asset_lineage_extractor=job_lineage.extract,
        # The extractor names the tables; the plugin's own capture would add `dagster`-platform datasets.
        capture_asset_materialization=False,
    )
    return make_datahub_sensor(
        config, name="datahub_jobs", minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING
    )
