"""Contract: every environment variable the pipeline needs in the cloud is set in every env.

Needed: each `env_var()` of the cloud output of dbt/profiles.yml (and the `target:` line), each `env_var()`
without a default of dbt_project.yml, and each variable the code under src/ reads without a default
(`os.environ[...]`, `os.environ.get(NAME)`, `os.getenv(NAME)`, `dg.EnvVar(NAME)`, `env.get(NAME)`).
Sources, per env: the user deployment's `env` and `envSecrets` in platform/dagster/values.yaml +
values-<env>.yaml (merged as Helm merges them), the run launcher's `envVars`/`envSecrets`, the keys of the
ExternalSecrets that platform/secret-store renders for the dagster namespace (rendered with helm), and the
ENV of the image (apps/pipeline/Dockerfile, last stage).
"""

from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from reference_pipeline.settings import DATA_DOCS_CONTAINER

APP = Path(__file__).resolve().parents[1]
REPO = APP.parents[1]
ENVS = ("dev", "staging", "prod")  # conftest.ENVS
DEPLOYMENT = "reference-pipeline"
CLOUD_OUTPUT = "snowflake"
_ENV_VAR = re.compile(r"""env_var\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*(,)?""")


def dbt_needs(profiles: str, project: str) -> dict[str, str]:
    """Variable -> where dbt reads it, for a run on the cloud output."""
    needs: dict[str, str] = {}
    profile = next(iter(yaml.safe_load(profiles).values()))
    for name, _ in _env_vars(str(profile["target"])):
        needs.setdefault(name, "dbt/profiles.yml target")
    for name, _ in _env_vars(json.dumps(profile["outputs"][CLOUD_OUTPUT])):
        needs.setdefault(name, f"dbt/profiles.yml outputs.{CLOUD_OUTPUT}")
    for name, has_default in _env_vars(project):
        if not has_default:
            needs.setdefault(name, "dbt/dbt_project.yml")
    return needs


def _env_vars(text: str) -> list[tuple[str, bool]]:
    return [(match.group(1), bool(match.group(2))) for match in _ENV_VAR.finditer(text)]


def _is_environ(node: ast.expr) -> bool:
    """`os.environ`, or a local mapping named env/environ (settings.load_settings reads `env`)."""
    if isinstance(node, ast.Attribute) and node.attr == "environ":
        return True
    return isinstance(node, ast.Name) and node.id in ("env", "environ")


def code_needs(source: str, where: str) -> dict[str, str]:
    """Variable -> file:line, for each variable the code reads without a default."""
    needs: dict[str, str] = {}
    for node in ast.walk(ast.parse(source)):
        name = None
        if isinstance(node, ast.Subscript) and _is_environ(node.value) and isinstance(node.ctx, ast.Load):
            name = node.slice
        elif isinstance(node, ast.Call) and node.args and not node.keywords:
            func = node.func
            get = isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value)
            getenv = isinstance(func, ast.Attribute) and func.attr == "getenv"
            env_var = (isinstance(func, ast.Attribute) and func.attr == "EnvVar") or (
                isinstance(func, ast.Name) and func.id == "EnvVar"
            )
            if ((get or getenv) and len(node.args) == 1) or env_var:
                name = node.args[0]
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            needs.setdefault(name.value, f"{where}:{node.lineno}")
    return needs


def pipeline_needs() -> dict[str, str]:
    needs = dbt_needs((APP / "dbt/profiles.yml").read_text(), (APP / "dbt/dbt_project.yml").read_text())
    for path in sorted((APP / "src").rglob("*.py")):
        for name, where in code_needs(path.read_text(encoding="utf-8"), str(path.relative_to(APP))).items():
            needs.setdefault(name, where)
    return needs


def helm_merge(base: Any, override: Any) -> Any:
    """Helm's value-file merge: maps merge key by key, anything else (lists included) is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        return {**base, **{key: helm_merge(base.get(key), value) for key, value in override.items()}}
    return override


def image_env(dockerfile: str) -> set[str]:
    """Names set by ENV in the last stage of a Dockerfile (`ENV A=1 B=2` and `ENV A 1`)."""
    stage = re.split(r"(?im)^FROM\s", dockerfile.replace("\\\n", " "))[-1]
    names: set[str] = set()
    for line in stage.splitlines():
        if line.upper().startswith("ENV "):
            body = line[4:].strip()
            names |= set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", body)) or {body.split()[0]}
    return names


def env_sources(values: dict[str, Any], external_secrets: list[dict], image: set[str]) -> dict[str, str]:
    """Variable -> where a run pod of the reference pipeline gets it."""
    sources = {name: "image ENV" for name in image}
    deployments = values["dagster-user-deployments"]["deployments"]
    deployment = next(item for item in deployments if item["name"] == DEPLOYMENT)
    launcher = values.get("runLauncher", {}).get("config", {}).get("k8sRunLauncher", {})
    env = deployment.get("env", [])
    items = env if isinstance(env, list) else [{"name": key} for key in env]
    for item in [*items, *launcher.get("envVars", [])]:
        name = item["name"] if isinstance(item, dict) else str(item).split("=")[0]
        sources[name] = "platform/dagster values env"
    secret_keys = {
        obj["spec"].get("target", {}).get("name", obj["metadata"]["name"]): [
            item["secretKey"] for item in obj["spec"]["data"]
        ]
        for obj in external_secrets
        if obj.get("kind") == "ExternalSecret" and obj["metadata"].get("namespace") == "dagster"
    }
    for secret in [*deployment.get("envSecrets", []), *launcher.get("envSecrets", [])]:
        for key in secret_keys.get(secret["name"], []):
            sources.setdefault(key, f"ExternalSecret {secret['name']}")
    return sources


def missing(needs: dict[str, str], sources: dict[str, str]) -> list[str]:
    return [f"{name} (read by {where})" for name, where in sorted(needs.items()) if name not in sources]


@pytest.fixture(scope="module")
def rendered(helm_template) -> dict[str, tuple[dict, list[dict]]]:
    out = {}
    for env in ENVS:
        values: dict[str, Any] = {}
        for path in (REPO / "platform/dagster/values.yaml", REPO / f"platform/dagster/values-{env}.yaml"):
            values = helm_merge(values, yaml.safe_load(path.read_text(encoding="utf-8")))
        store = REPO / "platform/secret-store"
        out[env] = (values, helm_template(store, store / "values.yaml", store / f"values-{env}.yaml"))
    return out


@pytest.mark.parametrize("env", ENVS)
def test_every_variable_the_pipeline_reads_has_a_source(rendered, env: str) -> None:
    values, external_secrets = rendered[env]
    sources = env_sources(values, external_secrets, image_env((APP / "Dockerfile").read_text()))
    needs = pipeline_needs()
    assert {"SNOWFLAKE_ACCOUNT", "SNOWFLAKE_USER", "SNOWFLAKE_PRIVATE_KEY_PATH", "DATAHUB_GMS_TOKEN"} <= set(needs)
    assert missing(needs, sources) == [], f"{env}: set them in platform/dagster/values-{env}.yaml or an ExternalSecret"


def test_the_scan_finds_each_kind_of_read() -> None:
    code = (
        "import os\nimport dagster as dg\n"
        "a = os.environ['A']\nb = os.environ.get('B')\nc = os.getenv('C')\nd = dg.EnvVar('D')\n"
        "e = os.environ.get('E', 'x')\nf = os.getenv('F', 'y')\ng = env.get('G')\nos.environ.setdefault('H', '1')\n"
    )
    assert set(code_needs(code, "x.py")) == {"A", "B", "C", "D", "G"}
    profiles = (
        "p:\n  target: \"{{ env_var('T', 'duckdb') }}\"\n  outputs:\n"
        "    duckdb: {path: \"{{ env_var('LOCAL_ONLY') }}\"}\n"
        "    snowflake: {account: \"{{ env_var('ACC') }}\", role: \"{{ env_var('ROLE', 'R') }}\"}\n"
    )
    project = "vars:\n  a: \"{{ env_var('WITH_DEFAULT', '1') }}\"\n  b: \"{{ env_var('NO_DEFAULT') }}\"\n"
    assert set(dbt_needs(profiles, project)) == {"T", "ACC", "ROLE", "NO_DEFAULT"}


def test_a_variable_without_a_source_is_named(rendered) -> None:
    values, external_secrets = copy.deepcopy(rendered["prod"])
    deployment = next(d for d in values["dagster-user-deployments"]["deployments"] if d["name"] == DEPLOYMENT)
    deployment["env"] = [item for item in deployment["env"] if item["name"] != "SNOWFLAKE_ACCOUNT"]
    sources = env_sources(values, external_secrets, image_env((APP / "Dockerfile").read_text()))
    assert missing(pipeline_needs(), sources) == ["SNOWFLAKE_ACCOUNT (read by dbt/profiles.yml outputs.snowflake)"]


@pytest.mark.parametrize("env", ENVS)
def test_datahub_telemetry_is_off_where_the_pipeline_runs(rendered, env: str) -> None:
    """acryl-datahub (the metadata asset, the Dagster plugin's sensor) reports usage unless told not to."""
    values, _ = rendered[env]
    deployment = next(d for d in values["dagster-user-deployments"]["deployments"] if d["name"] == DEPLOYMENT)
    env_vars = {item["name"]: item.get("value") for item in deployment["env"]}
    assert env_vars.get("DATAHUB_TELEMETRY_ENABLED") == "false", f"set it in platform/dagster/values-{env}.yaml"
    assert deployment["includeConfigInLaunchedRuns"]["enabled"]  # run pods get the code server's env


def data_docs_identity_problems(values: dict[str, Any], cluster: dict[str, Any]) -> list[str]:
    """Why a run pod could not upload Data Docs with workload identity (empty when it can)."""
    problems = []
    deployment = next(d for d in values["dagster-user-deployments"]["deployments"] if d["name"] == DEPLOYMENT)
    if not any(item["name"] == "PIPELINE_DATA_DOCS_ACCOUNT_URL" for item in deployment.get("env", [])):
        return ["PIPELINE_DATA_DOCS_ACCOUNT_URL is not set (Data Docs stay in the pod)"]
    variables = {item["name"]: item.get("value") for item in deployment["env"]}
    container = variables.get("PIPELINE_DATA_DOCS_CONTAINER") or DATA_DOCS_CONTAINER
    if container == "$web":
        problems.append("PIPELINE_DATA_DOCS_CONTAINER is $web: its static website would publish the samples")
    client = values.get("serviceAccount", {}).get("annotations", {}).get("azure.workload.identity/client-id")
    account = f"dagster/{values['serviceAccount']['name']}"
    trusted = {
        c["clientId"]
        for c in cluster["spec"]["workloadIdentity"]["federatedCredentials"]
        if c["serviceAccount"] == account
    }
    if client not in trusted:
        problems.append(f"serviceAccount.annotations client-id {client!r} has no federated credential for {account}")
    if deployment.get("labels", {}).get("azure.workload.identity/use") != "true":
        problems.append('the user deployment\'s pods lack the label azure.workload.identity/use: "true"')
    run = values["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfig"]
    if run.get("podTemplateSpecMetadata", {}).get("labels", {}).get("azure.workload.identity/use") != "true":
        problems.append("run pods (runK8sConfig.podTemplateSpecMetadata) lack the label azure.workload.identity/use")
    return problems


@pytest.mark.parametrize("env", ENVS)
def test_run_pods_upload_data_docs_with_workload_identity(rendered, env: str) -> None:
    values, _ = rendered[env]
    cluster = yaml.safe_load((REPO / f"clusters/{env}/cluster.yaml").read_text(encoding="utf-8"))
    assert data_docs_identity_problems(values, cluster) == []
    public = copy.deepcopy(values)
    deployment = next(d for d in public["dagster-user-deployments"]["deployments"] if d["name"] == DEPLOYMENT)
    deployment["env"] = [item for item in deployment["env"] if item["name"] != "PIPELINE_DATA_DOCS_CONTAINER"]
    deployment["env"].append({"name": "PIPELINE_DATA_DOCS_CONTAINER", "value": "$web"})
    assert data_docs_identity_problems(public, cluster) == [
        "PIPELINE_DATA_DOCS_CONTAINER is $web: its static website would publish the samples"
    ]
    broken = copy.deepcopy(values)
    broken["serviceAccount"]["annotations"]["azure.workload.identity/client-id"] = "not-federated"
    assert data_docs_identity_problems(broken, cluster) == [
        "serviceAccount.annotations client-id 'not-federated' has no federated credential for dagster/dagster"
    ]
