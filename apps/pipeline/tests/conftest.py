"""Fixtures: an isolated pipeline workspace (landing folder, DuckDB warehouse, Dagster instance) per test module.

Runs are real: dbt-duckdb builds the models, Dagster executes the job in-process against a persistent
instance in the workspace (so incremental state carries over between runs of the same workspace).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
import yaml
from reference_pipeline import cli
from reference_pipeline.settings import DBT_PROJECT_DIR, load_settings

CUSTOMERS_PER_DROP = 40
REPO = Path(__file__).resolve().parents[3]
ENVS = ("dev", "staging", "prod")


@dataclass
class Workspace:
    root: Path
    instance: dg.DagsterInstance

    @property
    def settings(self):
        return load_settings()

    def generate(self, drops: range) -> None:
        cli.generate(drops, CUSTOMERS_PER_DROP, self.settings.landing_dir)

    def run(self, full_refresh: bool = False) -> dg.ExecuteInProcessResult:
        from reference_pipeline.definitions import build_definitions

        job = build_definitions().resolve_job_def("reference_pipeline")
        config = cli.run_config(full_refresh)
        return job.execute_in_process(run_config=config, instance=self.instance, raise_on_error=False)


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> None:
    """dbt parse once per session (Dagster loads the manifest at import of the dbt assets)."""
    os.environ.setdefault("PIPELINE_DUCKDB_PATH", "/tmp/reference-pipeline-parse.duckdb")
    cli.local_environment()
    cli.prepare()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    root = tmp_path_factory.mktemp("pipeline")
    saved = {key: os.environ.get(key) for key in ("PIPELINE_WORK_DIR", "PIPELINE_DUCKDB_PATH", "DAGSTER_HOME")}
    os.environ["PIPELINE_WORK_DIR"] = str(root)
    os.environ["PIPELINE_DUCKDB_PATH"] = str(root / "warehouse.duckdb")
    os.environ["DAGSTER_HOME"] = str(root / "dagster_home")
    (root / "dagster_home").mkdir()
    # The code location binds its resources (warehouse path) when `reference_pipeline.definitions` is first
    # imported: a module imported for an earlier workspace would run this one's jobs on the old warehouse.
    sys.modules.pop("reference_pipeline.definitions", None)
    with dg.instance_for_test(temp_dir=str(root / "dagster_home")) as instance:
        yield Workspace(root=root, instance=instance)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


HelmTemplate = Callable[..., list[dict]]


@pytest.fixture(scope="session")
def helm_template() -> HelmTemplate:
    """`helm template` of a chart with value files (the repository's pinned helm): the rendered objects."""
    helm = shutil.which("helm") or str(REPO / ".tools" / "bin" / "helm")
    if not Path(helm).exists():
        pytest.fail("helm is not installed: run scripts/bootstrap/tools.sh (make setup)")

    def render(chart: Path, *values: Path, namespace: str = "default") -> list[dict]:
        command = [helm, "template", chart.name, str(chart), "--namespace", namespace]
        for path in values:
            command += ["-f", str(path)]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        return [doc for doc in yaml.safe_load_all(out) if doc]

    return render


ParsedModels = Callable[[str], list[dict]]


@pytest.fixture
def parsed_models(tmp_path: Path) -> ParsedModels:
    """`dbt parse --target TARGET` of the project: its model nodes (dummy Snowflake credentials: no connection)."""

    def parse(target: str) -> list[dict]:
        env = {
            **os.environ,
            "SNOWFLAKE_ACCOUNT": "example-org-test",
            "SNOWFLAKE_USER": "parse-only",
            "SNOWFLAKE_PRIVATE_KEY_PATH": str(tmp_path / "no-key.p8"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        dbt = str(Path(sys.executable).with_name("dbt"))
        project = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
        out = tmp_path / f"parse-{target}"
        command = [dbt, "parse", "--quiet", *project, "--target", target, "--target-path", str(out)]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
        nodes = json.loads((out / "manifest.json").read_text())["nodes"].values()
        return [node for node in nodes if node["resource_type"] == "model"]

    return parse
