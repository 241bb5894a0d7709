"""Orchestration beyond the hourly schedule: the `producer_drops` sensor and the gold freshness policy."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from reference_pipeline.assets.raw import LOADED_FILES, RAW_ENTITIES, raw_key
from reference_pipeline.raw_drops import DropSpec, DropWriter
from reference_pipeline.sensors import producer_drops
from reference_pipeline.warehouse import DuckDBWarehouse


def tick(instance: dg.DagsterInstance, warehouse: DuckDBWarehouse, cursor: str | None = None) -> dg.SensorResult:
    context = dg.build_sensor_context(instance=instance, resources={"warehouse": warehouse}, cursor=cursor)
    result = producer_drops(context)
    return result, context.cursor  # type: ignore[return-value]


def test_new_landed_files_start_one_run_each_delivery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_LANDING_DIR", str(tmp_path / "landing"))
    writer = DropWriter(tmp_path / "landing", ["75001", "69003"])
    warehouse = DuckDBWarehouse(path=str(tmp_path / "w.duckdb"))
    with dg.instance_for_test() as instance:
        assert isinstance(tick(instance, warehouse)[0], dg.SkipReason)  # nothing landed
        writer.write(DropSpec(number=1, customers=5))
        first, _ = tick(instance, warehouse)
        assert isinstance(first, dg.RunRequest) and first.run_key == tick(instance, warehouse)[0].run_key
        for entity in RAW_ENTITIES:  # what a run of raw_drops records once it has loaded them
            names = [p.name for p in (tmp_path / "landing" / entity).iterdir()]
            metadata = {LOADED_FILES: dg.MetadataValue.json(names)}
            instance.report_runless_asset_event(dg.AssetMaterialization(raw_key(entity), metadata=metadata))
        assert isinstance(tick(instance, warehouse)[0], dg.SkipReason)
        writer.write(DropSpec(number=2, customers=5))
        second, _ = tick(instance, warehouse)
        assert isinstance(second, dg.RunRequest) and second.run_key != first.run_key


def test_in_the_cloud_new_raw_rows_start_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_TARGET", "snowflake")
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:  # stands in for the Snowpipe-filled raw tables
        con.execute("create schema raw")
        for entity in RAW_ENTITIES:
            con.execute(f"create table raw.{entity} as select '2026-01-01 00:00:00' as _loaded_at")
    warehouse = DuckDBWarehouse(path=str(path))
    with dg.instance_for_test() as instance:
        first, cursor = tick(instance, warehouse)
        assert isinstance(first, dg.RunRequest)
        assert isinstance(tick(instance, warehouse, cursor)[0], dg.SkipReason)  # nothing new since
        with duckdb.connect(str(path)) as con:
            con.execute("insert into raw.claims values ('2026-01-01 01:00:00')")
        second, _ = tick(instance, warehouse, cursor)
        assert isinstance(second, dg.RunRequest) and second.run_key != first.run_key


def test_gold_carries_a_freshness_policy() -> None:
    from reference_pipeline.definitions import build_definitions
    from reference_pipeline.settings import load_settings

    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    policy = graph.get(dg.AssetKey(["gold", "customers"])).freshness_policy
    assert policy is not None and policy.fail_window.to_timedelta() == timedelta(hours=load_settings().freshness_hours)
    assert graph.get(dg.AssetKey(["silver", "customers"])).freshness_policy is None
    assert defs.resolve_sensor_def("producer_drops").job_name == "reference_pipeline"


def test_in_the_cluster_datahub_gets_the_dagster_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    from reference_pipeline.definitions import build_definitions

    assert "datahub_jobs" not in {s.name for s in build_definitions().sensors}  # no GMS locally: file sink only
    monkeypatch.setenv("DATAHUB_GMS_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("DATAHUB_ENV", "STG")
    sensor = build_definitions().resolve_sensor_def("datahub_jobs")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    config = next(
        cell.cell_contents
        for cell in sensor._raw_fn.__closure__  # the plugin's sensor closes over its config
        if type(cell.cell_contents).__name__ == "DatahubDagsterSourceConfig"
    )
    assert config.env == "STG" and config.datahub_client_config.server == "http://127.0.0.1:9"
