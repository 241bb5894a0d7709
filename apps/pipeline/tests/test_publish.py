"""Write-audit-publish of gold (src/reference_pipeline/publish.py).

- DuckDB schemas stand in for Snowflake's: gold is written to `gold_audit`, judged by the real blocking
  row-count checks, and the real publish asset copies it to `gold` only when they pass; a failing check
  leaves the published gold exactly as it was.
- The Snowflake statements are checked one by one (parsed as Snowflake SQL): nothing touches the
  published schema before the single atomic swap.
- dbt's Snowflake target builds gold into the audit schema (the manifest of `dbt parse --target snowflake`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import sqlglot
from reference_pipeline.assets.datahub import datahub_run_failures
from reference_pipeline.assets.serving import publish_audited_gold
from reference_pipeline.checks.assets_checks import GOLD_TABLES, great_expectations_suites, row_count_checks
from reference_pipeline.publish import AUDIT_SCHEMA, PUBLISHED_SCHEMA, snowflake_statements
from reference_pipeline.warehouse import DuckDBWarehouse

ROWS: dict[str, int] = {}  # rows each fake gold table gets on the next run


@dg.multi_asset(specs=[dg.AssetSpec(["gold", table]) for table in GOLD_TABLES], name="gold_models")
def gold_models(warehouse: DuckDBWarehouse):
    """Stands in for dbt: writes each gold table into the audit schema with ROWS[table] rows."""
    with warehouse.connect() as con:
        con.execute(f"create schema if not exists {AUDIT_SCHEMA}")
        for table in GOLD_TABLES:
            rows = f"select range as id from range({ROWS[table]})"
            con.execute(f"create or replace table {AUDIT_SCHEMA}.{table} as {rows}")
    for table in GOLD_TABLES:
        yield dg.MaterializeResult(asset_key=["gold", table], metadata={"dagster/row_count": ROWS[table]})


def _published(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return dict(con.execute(f"select dataset, row_count from {PUBLISHED_SCHEMA}.meta_refresh").fetchall())


def test_a_failed_check_leaves_the_published_gold_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_WORK_DIR", str(tmp_path))
    path = tmp_path / "warehouse.duckdb"
    defs = dg.Definitions(
        assets=[gold_models, publish_audited_gold],
        asset_checks=row_count_checks(),  # the GE suites need real tables: tests/test_expectations_block_gold.py
        resources={"warehouse": DuckDBWarehouse(path=str(path), gold_schema=AUDIT_SCHEMA)},
    )
    job = defs.resolve_implicit_global_asset_job_def()
    with dg.instance_for_test() as instance:
        ROWS.update(dict.fromkeys(GOLD_TABLES, 100))
        assert job.execute_in_process(instance=instance).success
        assert _published(path) == dict.fromkeys(GOLD_TABLES, 100)
        with duckdb.connect(str(path), read_only=True) as con:
            assert con.execute(f"select count(*) from {PUBLISHED_SCHEMA}.customers").fetchone() == (100,)

        ROWS.update(customers=0)  # the blocking row-count check fails on an empty gold table
        result = job.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        failed = [e.check_name for e in _evaluations(result) if not e.passed]
        assert failed == ["row_count_anomaly"]
        assert ["publish", "gold"] not in [e.asset_key.path for e in result.get_asset_materialization_events()]
        assert _published(path) == dict.fromkeys(GOLD_TABLES, 100), "published gold changed after a failed check"
        with duckdb.connect(str(path), read_only=True) as con:
            assert con.execute(f"select count(*) from {PUBLISHED_SCHEMA}.customers").fetchone() == (100,)
        _report_failure_to_datahub(instance, result)
        sink = json.loads((tmp_path / "datahub" / "run-failures.json").read_text())
        runs = [r["aspect"]["json"] for r in sink if r["aspectName"] == "assertionRunEvent"]
        failed = [r["assertionUrn"] for r in runs if r["result"]["type"] == "FAILURE"]
        assert len(runs) == len(GOLD_TABLES) and len(failed) == 1, "DataHub hears of the failed check"

        ROWS.update(dict.fromkeys(GOLD_TABLES, 105))
        assert job.execute_in_process(instance=instance).success
        assert _published(path) == dict.fromkeys(GOLD_TABLES, 105)


def _report_failure_to_datahub(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> None:
    """What the daemon does with a failed run: the run-failure sensor of the code location."""
    failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    context = dg.build_run_status_sensor_context(
        sensor_name="datahub_run_failures",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=failure,
    ).for_run_failure()
    datahub_run_failures(context)


def _evaluations(result: dg.ExecuteInProcessResult) -> list[dg.AssetCheckEvaluation]:
    return [
        event.event_specific_data
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION" and event.event_specific_data is not None
    ]


def test_snowflake_statements_touch_the_published_schema_only_by_an_atomic_swap() -> None:
    statements = snowflake_statements("ANALYTICS", GOLD_TABLES, "DATA_APPS_READER")
    for statement in statements:
        sqlglot.parse_one(statement, read="snowflake")  # each is one valid Snowflake statement
    published, candidate = f"ANALYTICS.{PUBLISHED_SCHEMA}", f"ANALYTICS.{PUBLISHED_SCHEMA}__next"
    assert statements[0] == f"create or replace schema {candidate} clone ANALYTICS.{AUDIT_SCHEMA}"
    swap = statements.index(f"alter schema {candidate} swap with {published}")
    naming_published = [s for s in statements[:swap] if PUBLISHED_SCHEMA in re.findall(r"\bANALYTICS\.(\w+)", s)]
    assert naming_published == [f"create schema if not exists {published}"]
    meta = statements[1]
    assert meta.startswith(f"create or replace table {candidate}.meta_refresh as select 'customers' as dataset")
    assert all(f"from {candidate}.{table}" in meta for table in GOLD_TABLES)
    assert f"grant usage on schema {candidate} to role DATA_APPS_READER" in statements[:swap]
    assert f"grant select on all tables in schema {candidate} to role DATA_APPS_READER" in statements[:swap]
    assert statements[swap + 1 :] == [f"drop schema if exists {candidate}"]
    with pytest.raises(ValueError, match="not a plain SQL identifier"):
        snowflake_statements("ANALYTICS; drop database X", GOLD_TABLES, "R")


def test_publishing_keeps_the_audited_build_as_the_next_incremental_base() -> None:
    """dbt's incremental gold merges into `gold_audit` on the next run, so publishing only reads it (the clone).

    After the swap `gold` holds the clone of the audited build and the previous published gold, left in the
    candidate's name, is dropped; `gold_audit` is untouched: the next run's base is the build just published.
    Gold is computed from the whole silver state and only its differences are written (macros/incremental.sql),
    so a build that failed its checks and stayed unpublished is reconciled by the next run, not built upon.
    """
    statements = snowflake_statements("ANALYTICS", GOLD_TABLES, "DATA_APPS_READER")
    audit, candidate = f"ANALYTICS.{AUDIT_SCHEMA}", f"ANALYTICS.{PUBLISHED_SCHEMA}__next"
    naming_audit = [s for s in statements if AUDIT_SCHEMA in re.findall(r"\bANALYTICS\.(\w+)", s)]
    assert naming_audit == [f"create or replace schema {candidate} clone {audit}"]
    swap = statements.index(f"alter schema {candidate} swap with ANALYTICS.{PUBLISHED_SCHEMA}")
    assert statements[swap + 1 :] == [f"drop schema if exists {candidate}"]  # the previous published gold


@pytest.mark.slow
def test_dbt_snowflake_target_builds_gold_into_the_audit_schema(parsed_models) -> None:
    schemas = {n["config"].get("schema"): n["schema"] for n in parsed_models("snowflake")}
    assert schemas["gold"] == AUDIT_SCHEMA and schemas["silver"] == "silver"


def test_the_cloud_job_publishes_after_every_gold_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from reference_pipeline.definitions import build_definitions

    for name, value in {"DBT_TARGET": "snowflake", "SNOWFLAKE_ACCOUNT": "a", "SNOWFLAKE_USER": "u",
                        "SNOWFLAKE_PRIVATE_KEY_PATH": "/k", "SNOWFLAKE_READER_ROLE": "R"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    defs = build_definitions()
    # In the cluster the hourly schedule is on from the start, and failed runs reach DataHub.
    assert defs.resolve_schedule_def("hourly_drops").default_status == dg.DefaultScheduleStatus.RUNNING
    assert defs.resolve_sensor_def("datahub_run_failures").default_status == dg.DefaultSensorStatus.RUNNING
    graph = defs.resolve_asset_graph()
    publish = dg.AssetKey(["publish", "gold"])
    assert {dg.AssetKey(["gold", table]) for table in GOLD_TABLES} <= graph.get(publish).parent_keys
    assert dg.AssetKey(["serving", "gold"]) not in graph.get_all_asset_keys()
    assert publish in graph.get(dg.AssetKey(["datahub", "metadata"])).parent_keys  # DataHub describes published gold
    # The swap waits for the step that validates every GE suite, silver ones included: one failed suite fails
    # that step (blocking checks), so publish/gold is skipped and the published gold stays as it was.
    job = defs.resolve_job_def("reference_pipeline")
    upstream = {out.node_name for out in job.graph.dependency_structure.all_upstream_outputs_from_node("publish__gold")}
    assert "great_expectations_suites" in upstream
    suites_step = {key.asset_key.to_user_string() for key in great_expectations_suites.check_keys}
    assert {"silver/customers", "silver/policies", "silver/claims"} <= suites_step
    assert all(spec.blocking for spec in great_expectations_suites.check_specs)
