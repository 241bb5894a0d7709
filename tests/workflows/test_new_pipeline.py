"""`platformctl new-app NAME --kind pipeline`: a Dagster code location registered in platform/dagster values.

Fast checks (files, pins, registration, which venv and which pytest run the app) on a copy of the
repository; the gates and the app's own tests in .venv/pipelines are in test_new_pipeline_gates.py.
"""

from __future__ import annotations

import difflib
import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from platformctl.cli import main
from platformctl.scaffold.templates import read_pins

APP, PACKAGE = "sales-pipeline", "sales_pipeline"
DAGSTER_FILES = ("values.yaml", "values-dev.yaml", "values-staging.yaml", "values-prod.yaml")


def _app_venv(repo: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("app_venv", repo / "scripts/bootstrap/app_venv.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _deployments(path: Path) -> dict[str, dict]:
    items = yaml.safe_load(path.read_text())["dagster-user-deployments"]["deployments"]
    return {item["name"]: item for item in items}


def test_scaffold_files_and_pins(repo: Path) -> None:
    assert main(["new-app", APP, "--kind", "pipeline"]) == 0
    app = repo / "apps" / APP
    for relative in (
        "pyproject.toml",
        "Dockerfile",
        "dbt/dbt_project.yml",
        "dbt/profiles.yml",
        f"src/{PACKAGE}/definitions.py",
        f"src/{PACKAGE}/checks.py",
        "tests/test_definitions.py",
    ):
        assert (app / relative).is_file(), relative
    pyproject = tomllib.loads((app / "pyproject.toml").read_text())
    assert pyproject["tool"]["platform"]["venv"] == "pipelines"
    pins = read_pins(repo, "pipeline")
    assert f"dagster=={pins['dagster']}" in pyproject["project"]["dependencies"]
    assert f"dagster-dbt=={pins['dagster-dbt']}" in pyproject["project"]["dependencies"]
    # What the Dagster instance of platform/dagster needs in the run pods (K8sRunLauncher, PostgreSQL storage).
    for distribution in ("dagster-k8s", "dagster-postgres"):
        assert f"{distribution}=={pins[distribution]}" in pyproject["project"]["dependencies"]
    assert "{{" not in (app / "src" / PACKAGE / "definitions.py").read_text()
    assert f'"-m", "{PACKAGE}.definitions"]' in (app / "Dockerfile").read_text()


def test_registered_as_user_deployment_in_every_values_file(repo: Path) -> None:
    folder = repo / "platform/dagster"
    before = {name: (folder / name).read_text() for name in DAGSTER_FILES}
    assert main(["new-app", APP, "--kind", "pipeline", "--owner", "sales", "--data-classification", "restricted"]) == 0
    for name, text in before.items():
        after = (folder / name).read_text()
        changed = [line for line in difflib.ndiff(text.splitlines(), after.splitlines()) if line[:1] in "+-"]
        assert changed and all(line.startswith("+ ") for line in changed), f"{name}: only lines added"
        deployments = _deployments(folder / name)
        reference, new = deployments["reference-pipeline"], deployments[APP]
        assert new["dagsterApiGrpcArgs"] == ["--module-name", f"{PACKAGE}.definitions"]
        assert new["image"]["repository"].endswith(f"/{APP}")
        assert new["labels"]["platform.example/owner"] == "sales"
        assert new["labels"]["platform.example/data-classification"] == "restricted"
        assert new["envSecrets"] == [{"name": f"{APP}-snowflake"}, {"name": f"{APP}-datahub"}]
        for key in ("port", "resources", "podSecurityContext", "securityContext"):
            assert new.get(key) == reference.get(key), f"{name}: {key} follows the reference pipeline"


def test_a_second_pipeline_of_the_same_name_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new-app", APP, "--kind", "pipeline"]) == 0
    assert main(["new-app", APP, "--kind", "pipeline"]) == 2
    assert f"apps/{APP} already exists" in capsys.readouterr().err


def test_existing_deployment_name_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    values = repo / "platform/dagster/values.yaml"
    values.write_text(values.read_text().replace("- name: reference-pipeline", f"- name: {APP}", 1))
    assert main(["new-app", APP, "--kind", "pipeline"]) == 2
    assert f"Dagster user deployment '{APP}' already exists" in capsys.readouterr().err


def test_pipeline_apps_go_to_the_pipelines_venv_only(repo: Path) -> None:
    assert main(["new-app", APP, "--kind", "pipeline"]) == 0
    app_venv = _app_venv(repo)
    pipelines = {path.as_posix() for path in app_venv.packages(repo, "pipelines")}
    tooling = {path.as_posix() for path in app_venv.packages(repo, "tooling")}
    assert {"apps/pipeline", f"apps/{APP}"} <= pipelines
    assert not pipelines & tooling
    assert {"apps/exposition-api", "apps/enrichment-api", "."} <= tooling


def test_root_pytest_does_not_collect_pipeline_apps(repo: Path) -> None:
    assert main(["new-app", APP, "--kind", "pipeline"]) == 0
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "apps"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "apps/exposition-api/tests" in done.stdout, "the API tests are still collected"
    assert f"apps/{APP}/" not in done.stdout and "apps/pipeline/" not in done.stdout
