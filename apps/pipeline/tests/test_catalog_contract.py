"""Contract: in every env (dev, staging, prod) the data apps read the gold that env's pipeline publishes, and
the exposition API serves the catalog dbt generates.

For each env, from the Deployment that apps/chart renders with apps/<app> values (helm): the Snowflake URL
must name the account, database and schema the pipeline publishes to (platform/dagster values-<env>.yaml:
SNOWFLAKE_ACCOUNT, SNOWFLAKE_DATABASE; schema GOLD) as the role the publish step grants it to
(SNOWFLAKE_READER_ROLE); anything but Snowflake (a DuckDB file) is not the pipeline's gold. For the exposition
API, the catalog file it loads (`CATALOG_FILE`, mapped back through the image's COPY lines, else the packaged
catalog) must equal the one `reference-pipeline catalog` generates from the dbt manifest (datasets, tables,
columns, types, filters). The packaged catalog is a link to that file (apps/exposition-api/tests/
test_catalog_files.py), and the sample gold of the tests has its schema.
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
READERS = ("exposition-api", "enrichment-api")  # the data apps that read gold
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


def location_problems(env: str, environment: dict[str, str], app: str = "exposition-api") -> list[str]:
    """What keeps `app` from reading the gold `env`'s pipeline publishes: location, then role."""
    url = urlsplit(environment["WAREHOUSE_URL"])
    target = pipeline_target(env)
    expected = (target["SNOWFLAKE_ACCOUNT"], target["SNOWFLAKE_DATABASE"].upper(), PUBLISHED_SCHEMA)
    if url.scheme != "snowflake":
        return [
            f"{env}: {app} reads {url.scheme}://{url.netloc}{url.path}, not the gold the pipeline publishes "
            f"(snowflake://{'/'.join(expected)}); fix warehouse.url in apps/{app}/values-{env}.yaml"
        ]
    problems = []
    database, _, schema = url.path.strip("/").partition("/")
    if (url.hostname, database.upper(), schema.upper()) != expected:
        problems.append(
            f"{env}: {app} WAREHOUSE_URL reads {url.hostname}/{database}/{schema}, the pipeline publishes to "
            f"{'/'.join(expected)}; fix warehouse.url in apps/{app}/values-{env}.yaml"
        )
    role = dict(item.split("=", 1) for item in url.query.split("&") if "=" in item).get("role", "")
    if role.upper() != target["SNOWFLAKE_READER_ROLE"].upper():
        problems.append(
            f"{env}: {app} reads as role {role or '(none)'}, the pipeline grants the published gold to "
            f"{target['SNOWFLAKE_READER_ROLE']} (SNOWFLAKE_READER_ROLE); make them the same role"
        )
    return problems


def served_catalog_problems(env: str, environment: dict[str, str], generated: dict[str, Any]) -> list[str]:
    problems = location_problems(env, environment)
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
def rendered(helm_template) -> dict[tuple[str, str], dict[str, str]]:
    """(app, env) -> the app container's environment, as helm renders apps/chart with the app's values."""

    def render(app: str, env: str) -> list[dict]:
        folder = REPO / "apps" / app
        return helm_template(REPO / "apps/chart", folder / "values.yaml", folder / f"values-{env}.yaml",
                             namespace="data-apps")  # fmt: skip

    return {(app, env): api_environment(render(app, env)) for app in READERS for env in ENVS}


@pytest.fixture(scope="module")
def environments(rendered) -> dict[str, dict[str, str]]:
    return {env: rendered[("exposition-api", env)] for env in ENVS}


@pytest.mark.parametrize("env", ENVS)
def test_the_api_serves_the_catalog_dbt_generates(environments, generated, env: str) -> None:
    assert served_catalog_problems(env, environments[env], generated) == []


@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize("app", READERS)
def test_every_data_app_reads_the_gold_its_envs_pipeline_publishes(rendered, app: str, env: str) -> None:
    assert location_problems(env, rendered[(app, env)], app) == []


def test_no_env_overrides_the_packaged_catalog(environments) -> None:
    """The packaged catalog is the generated one; an override would also be copied into every scaffolded app
    (`platformctl new-app` derives its values and Dockerfile from this app's), which has no catalog."""
    assert {env: environments[env].get("CATALOG_FILE") for env in ENVS} == dict.fromkeys(ENVS)
    assert "catalogs" not in (API / "Dockerfile").read_text(encoding="utf-8")


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
    sample = {**environments["dev"], "WAREHOUSE_URL": "duckdb:///data/gold.duckdb"}
    (problem,) = served_catalog_problems("dev", sample, generated)
    assert "dev: exposition-api reads duckdb:///data/gold.duckdb, not the gold the pipeline publishes" in problem
    assert "(snowflake://example-org-dev/ANALYTICS_DEV/GOLD)" in problem
    staging = {**environments["prod"], "WAREHOUSE_URL": "snowflake://example-org-staging/ANALYTICS_STAGING/GOLD"}
    (problem, _) = served_catalog_problems("prod", staging, generated)
    assert "reads example-org-staging/ANALYTICS_STAGING/GOLD, the pipeline publishes to" in problem
    other_role = {**environments["prod"], "WAREHOUSE_URL": "snowflake://example-org-prod/ANALYTICS/GOLD?role=OTHER"}
    (problem,) = served_catalog_problems("prod", other_role, generated)
    assert "reads as role OTHER, the pipeline grants the published gold to DATA_APPS_READER" in problem
    # Without CATALOG_FILE the API serves its packaged catalog, which is the generated one (a link to it).
    packaged = {key: value for key, value in environments["prod"].items() if key != "CATALOG_FILE"}
    assert served_catalog_problems("prod", packaged, generated) == []
    (problem,) = served_catalog_problems("prod", packaged, drifted)
    assert "serves apps/exposition-api/src/exposition_api/catalog.yaml, which differs" in problem
