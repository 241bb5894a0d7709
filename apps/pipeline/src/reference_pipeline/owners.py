"""Dagster owners come from dbt `meta.owner` (the team that owns a model), one source of truth.

dbt models and sources carry `meta.owner` (a team name, the project default in dbt_project.yml); the
assets outside dbt (raw loads, serving, publish, DataHub) belong to the project's default owner. Dagster
writes teams as `team:<name>`, DataHub as groups of the same name (lineage.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import yaml

from reference_pipeline.dbt_meta import meta_of
from reference_pipeline.settings import DBT_PROJECT_DIR


@cache
def default_team() -> str:
    """`models.<project>.+meta.owner` of dbt_project.yml: the team owning whatever sets no owner."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return str(project["models"][project["name"]]["+meta"]["owner"])


def dagster_owner(team: str) -> str:
    return team if "@" in team or team.startswith("team:") else f"team:{team}"


def pipeline_owner() -> str:
    return dagster_owner(default_team())


def dbt_owners(dbt_resource_props: Mapping[str, Any]) -> list[str]:
    """The Dagster owners of a dbt node: its `meta.owner` (config or property), else the project default."""
    meta = meta_of(dbt_resource_props)
    return [dagster_owner(str(meta.get("owner") or default_team()))]
