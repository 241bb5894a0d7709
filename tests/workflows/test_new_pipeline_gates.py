"""A scaffolded pipeline passes the gates untouched, and its own tests pass in .venv/pipelines.

Each gate runs (as CI runs it: the platformctl CLI in a subprocess, real checkov) on a copy of the
repository without and with `platformctl new-app sales-pipeline --kind pipeline`; the scaffold may add
no finding. The app's tests run with the pipelines venv's pytest (real Dagster, dbt-duckdb, DuckDB).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Gates, Scaffold

APP = "sales-pipeline"
pytestmark = pytest.mark.slow
SCAFFOLD = Scaffold(APP, "pipeline", in_tooling_venv=False, timeout=600)


def test_lint(gates: Gates, scaffolded: Path) -> None:
    gates.assert_lint_passes(scaffolded, "platform/dagster")


def test_the_apps_own_tests_pass_in_the_pipelines_venv(gates: Gates, scaffolded: Path) -> None:
    pytest_bin = gates.venv_root() / "pipelines" / "bin" / "pytest"
    assert pytest_bin.is_file(), f"{pytest_bin} is missing: run `scripts/bootstrap/venvs.sh pipelines` (make venvs)"
    app = scaffolded / "apps" / APP
    done = gates.run(
        scaffolded,
        str(pytest_bin),
        "tests",
        "-p",
        "no:cacheprovider",
        cwd=app,
        timeout=900,
        # What `make venvs` does for the new pyproject.toml: the app importable by the pipelines venv.
        PYTHONPATH=str(app / "src"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "3 passed" in done.stdout


def test_manifest_gate(gates: Gates, pristine: Path, scaffolded: Path) -> None:
    gates.assert_no_new_finding(pristine, scaffolded, "validate", "--all")


def test_policy_gate(gates: Gates, pristine: Path, scaffolded: Path) -> None:
    output = gates.assert_no_new_finding(pristine, scaffolded, "policy", "--all")
    assert f"apps/{APP}/Dockerfile" in output, "the policy gate did not look at the new pipeline's Dockerfile"
