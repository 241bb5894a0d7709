"""The dbt project as Dagster assets, in two steps so that checks on silver can block gold.

`bronze_silver` builds (runs + tests) the bronze and silver models, `gold` the marts. A failing dbt test
fails its step; a failing blocking check (Great Expectations, row counts) on a silver table stops the run
before `gold`. Asset keys follow the warehouse: `raw/<table>` for sources, `<layer>/<table>` for models.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from reference_pipeline.settings import DBT_PROJECT_DIR, load_settings

OWNER = "team:data-platform"

dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target=os.environ.get("DBT_TARGET", "duckdb"),
)


class LayeredTranslator(DagsterDbtTranslator):
    """`raw/customers` for a source, `silver/customers` for the model silver_customers."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        config = dbt_resource_props.get("config", {})
        return dg.AssetKey([config.get("schema") or "main", config.get("alias") or dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("config", {}).get("schema") or "raw"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return [OWNER]

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        classification = dbt_resource_props.get("meta", {}).get("classification")
        return {"classification": classification} if classification else {}


translator = LayeredTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def dbt_resource() -> DbtCliResource:
    """dbt CLI pointed at this project; the warehouse path reaches the profile through the environment."""
    settings = load_settings()
    os.environ.setdefault("PIPELINE_DUCKDB_PATH", str(settings.warehouse_path))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), target=settings.dbt_target)


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    invocation = dbt.cli(["build"], context=context)
    if load_settings().is_local:
        yield from invocation.stream().fetch_row_counts()
    else:
        yield from invocation.stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    select="tag:bronze tag:silver",
    dagster_dbt_translator=translator,
    name="bronze_silver",
)
def bronze_silver(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from _build(context, dbt)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    select="tag:gold",
    dagster_dbt_translator=translator,
    name="gold",
)
def gold(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from _build(context, dbt)
