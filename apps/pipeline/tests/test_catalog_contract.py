"""Contract: where the exposition API reads the pipeline's gold, it serves the catalog dbt generates.

For each env, from the Deployment that apps/chart renders with apps/exposition-api values (helm): the
catalog file the API loads (`CATALOG_FILE`, mapped back through the image's COPY lines, else the packaged
catalog) must equal the one `reference-pipeline catalog` generates from the dbt manifest (datasets, tables,
columns, types, filters), and its Snowflake URL must name the account, database and schema the pipeline
publishes to (platform/dagster values: SNOWFLAKE_ACCOUNT, SNOWFLAKE_DATABASE; schema GOLD) as the role the
publish step grants it to (SNOWFLAKE_READER_ROLE). An env on the
sample gold (`sampleGold.enabled`, a DuckDB file generated in the pod) does not serve the pipeline's gold.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from reference_pipeline.catalog import catalog_from_manifest
from reference_pipeline.settings import DBT_PROJECT_DIR

REPO = Path(__file__).resolve().parents[3]
API = REPO / "apps/exposition-api"
ENVS = ("dev", "staging", "prod")  # conftest.ENVS
PUBLISHED_SCHEMA = "GOLD"  # the schema the pipeline publishes gold to (Snowflake upper-cases `gold`)
PACKAGED = API / "src/exposition_api/catalog.yaml"


def api_environment(objects: list[dict]) -> dict[str, str]:
    deployment = next(obj for obj in objects if obj["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {item["name"]: str(item.get("value", "")) for item in container.get("env", [])}


def image_file(dockerfile: str, path: str) -> Path | None:
    """The repository file the image holds at `path` (last stage's `COPY <repo path> <image path>`)."""
    stage = re.split(r"(?im)^FROM\s", dockerfile)[-1]
    for source, destination in re.findall(r"(?m)^COPY\s+(?!--from)(\S+)\s+(\S+)\s*$", stage):
        if path == destination or path.startswith(destination.rstrip("/") + "/"):
            return REPO / source / Path(path).relative_to(destination) if path != destination else REPO / source
    return None


def pipeline_target(env: str) -> dict[str, str]:
    values = yaml.safe_load((REPO / f"platform/dagster/values-{env}.yaml").read_text(encoding="utf-8"))
    deployment = next(d for d in values["dagster-user-deployments"]["deployments"] if d["name"] == "reference-pipeline")
    return {item["name"]: str(item.get("value", "")) for item in deployment["env"]}


def served_catalog_problems(env: str, environment: dict[str, str], generated: dict[str, Any]) -> list[str]:
    url = urlsplit(environment["WAREHOUSE_URL"])
    if url.scheme != "snowflake":
        return []  # the sample gold (dev), not the pipeline's: see the module docstring
    problems = []
    target = pipeline_target(env)
    database, _, schema = url.path.strip("/").partition("/")
    expected = (target["SNOWFLAKE_ACCOUNT"], target["SNOWFLAKE_DATABASE"].upper(), PUBLISHED_SCHEMA)
    if (url.hostname, database.upper(), schema.upper()) != (expected[0], expected[1], expected[2]):
        problems.append(
            f"{env}: WAREHOUSE_URL reads {url.hostname}/{database}/{schema}, the pipeline publishes to "
            f"{'/'.join(expected)}; fix warehouse.url in apps/exposition-api/values-{env}.yaml"
        )
    role = dict(item.split("=", 1) for item in url.query.split("&") if "=" in item).get("role", "")
    if role.upper() != target["SNOWFLAKE_READER_ROLE"].upper():
        problems.append(
            f"{env}: the API reads as role {role or '(none)'}, the pipeline grants the published gold to "
            f"{target['SNOWFLAKE_READER_ROLE']} (SNOWFLAKE_READER_ROLE); make them the same role"
        )
    catalog_file = environment.get("CATALOG_FILE")
    source = image_file((API / "Dockerfile").read_text(encoding="utf-8"), catalog_file) if catalog_file else PACKAGED
    if source is None or not source.is_file():
        return [*problems, f"{env}: CATALOG_FILE={catalog_file} is not a file the image copies from the repository"]
    served = yaml.safe_load(source.read_text(encoding="utf-8"))
    if served != generated:
        names = sorted(set(served.get("datasets", {})) | set(generated["datasets"]))
        differing = [n for n in names if served.get("datasets", {}).get(n) != generated["datasets"].get(n)]
        problems.append(
            f"{env}: the API serves {source.relative_to(REPO)}, which differs from the dbt manifest's catalog "
            f"({', '.join(differing)}); fix: reference-pipeline catalog --out apps/exposition-api/catalogs/gold.yaml"
        )
    return problems


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return catalog_from_manifest(DBT_PROJECT_DIR / "target" / "manifest.json")


@pytest.fixture(scope="module")
def environments(helm_template) -> dict[str, dict[str, str]]:
    def render(env: str) -> list[dict]:
        values = (API / "values.yaml", API / f"values-{env}.yaml")
        return helm_template(REPO / "apps/chart", *values, namespace="data-apps")

    return {env: api_environment(render(env)) for env in ENVS}


@pytest.mark.parametrize("env", ENVS)
def test_the_api_serves_the_catalog_dbt_generates(environments, generated, env: str) -> None:
    assert served_catalog_problems(env, environments[env], generated) == []


def test_staging_and_prod_read_the_pipelines_gold(environments) -> None:
    for env in ("staging", "prod"):
        assert environments[env]["WAREHOUSE_URL"].startswith("snowflake://"), env
        assert environments[env].get("CATALOG_FILE"), env


def test_a_drift_is_named(environments, generated) -> None:
    drifted = {"datasets": {**generated["datasets"]}}
    claims = dict(drifted["datasets"]["claims"])
    claims["columns"] = [{**c, "type": "BIGINT"} if c["name"] == "customer_id" else c for c in claims["columns"]]
    drifted["datasets"]["claims"] = claims
    (problem,) = served_catalog_problems("prod", environments["prod"], drifted)
    assert "differs from the dbt manifest's catalog (claims)" in problem
    old_url = {
        **environments["prod"],
        "WAREHOUSE_URL": "snowflake://example-org-prod/GOLD/PUBLIC?role=DATA_APPS_READER",
    }
    (problem,) = served_catalog_problems("prod", old_url, generated)
    assert "reads example-org-prod/GOLD/PUBLIC, the pipeline publishes to example-org-prod/ANALYTICS/GOLD" in problem
    other_role = {**environments["prod"], "WAREHOUSE_URL": "snowflake://example-org-prod/ANALYTICS/GOLD?role=OTHER"}
    (problem,) = served_catalog_problems("prod", other_role, generated)
    assert "reads as role OTHER, the pipeline grants the published gold to DATA_APPS_READER" in problem
    packaged = {key: value for key, value in environments["prod"].items() if key != "CATALOG_FILE"}
    (problem,) = served_catalog_problems("prod", packaged, generated)
    assert "serves apps/exposition-api/src/exposition_api/catalog.yaml" in problem
