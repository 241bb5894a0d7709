"""A scaffolded pipeline passes the gates untouched, and its own tests pass in .venv/pipelines.

Each gate runs (as CI runs it: the platformctl CLI in a subprocess, real checkov) on a copy of the
repository without and with `platformctl new-app sales-pipeline --kind pipeline`; the scaffold may add
no finding. The app's tests run with the pipelines venv's pytest (real Dagster, dbt-duckdb, DuckDB).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from platformctl.paths import tools_bin_dir, upstream_mirror

APP = "sales-pipeline"
TOOLING_BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow


def _copy(repo_root: Path, target: Path) -> Path:
    tracked = subprocess.run(["git", "-C", str(repo_root), "ls-files"], capture_output=True, text=True, check=True)
    for name in tracked.stdout.splitlines():
        if (repo_root / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(repo_root / name, target / name)
    return target


def _venv_root(repo_root: Path) -> Path:
    return Path(os.environ.get("VENV_ROOT", repo_root / ".venv")).resolve()


def run(repo_root: Path, copy: Path, *args: str, cwd: Path | None = None, timeout: int = 600, **extra: str):
    env = dict(os.environ)
    env.update(
        PATH=f"{tools_bin_dir(repo_root)}{os.pathsep}{TOOLING_BIN}{os.pathsep}{env.get('PATH', '')}",
        PLATFORM_REPO_ROOT=str(copy),
        PLATFORM_UPSTREAM_MIRROR=str(upstream_mirror(root=repo_root)),
        VENV_ROOT=str(_venv_root(repo_root)),  # checkov's own virtualenv
        **extra,
    )
    return subprocess.run(args, cwd=cwd or copy, env=env, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    return _copy(repo_root, tmp_path_factory.mktemp("pristine"))


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    copy = _copy(repo_root, tmp_path_factory.mktemp("scaffolded"))
    done = run(repo_root, copy, str(TOOLING_BIN / "platformctl"), "new-app", APP, "--kind", "pipeline")
    assert done.returncode == 0, done.stderr
    return copy


def _findings(repo_root: Path, copy: Path, *gate: str) -> tuple[int, list[str], str]:
    done = run(repo_root, copy, str(TOOLING_BIN / "platformctl"), *gate, "--json")
    assert done.returncode in (0, 1), f"{' '.join(gate)} crashed: {done.stderr[-2000:]}"
    items: list[dict[str, Any]] = json.loads(done.stdout.replace(str(copy), "<root>"))
    problems = [item for item in items if item.get("status", "FAILED") != "PASSED"]  # policy lists passes too
    return done.returncode, sorted(json.dumps(item, sort_keys=True) for item in problems), done.stdout


def _assert_no_new_finding(repo_root: Path, pristine: Path, scaffolded: Path, *gate: str) -> str:
    before_code, before, _ = _findings(repo_root, pristine, *gate)
    after_code, after, output = _findings(repo_root, scaffolded, *gate)
    new = sorted(set(after) - set(before))
    assert not new, f"{' '.join(gate)}: the scaffold adds findings:\n" + "\n".join(new)
    assert after_code == before_code
    return output


def test_lint(repo_root: Path, scaffolded: Path) -> None:
    for command in (
        [str(TOOLING_BIN / "ruff"), "check", f"apps/{APP}"],
        [str(TOOLING_BIN / "ruff"), "format", "--check", f"apps/{APP}"],
        [str(TOOLING_BIN / "yamllint"), "--strict", f"apps/{APP}", "platform/dagster"],
    ):
        done = run(repo_root, scaffolded, *command)
        assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}{done.stderr}"


def test_the_apps_own_tests_pass_in_the_pipelines_venv(repo_root: Path, scaffolded: Path) -> None:
    pytest_bin = _venv_root(repo_root) / "pipelines" / "bin" / "pytest"
    assert pytest_bin.is_file(), f"{pytest_bin} is missing: run `scripts/bootstrap/venvs.sh pipelines` (make venvs)"
    app = scaffolded / "apps" / APP
    done = run(
        repo_root,
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


def test_manifest_gate(repo_root: Path, pristine: Path, scaffolded: Path) -> None:
    _assert_no_new_finding(repo_root, pristine, scaffolded, "validate", "--all")


def test_policy_gate(repo_root: Path, pristine: Path, scaffolded: Path) -> None:
    output = _assert_no_new_finding(repo_root, pristine, scaffolded, "policy", "--all")
    assert f"apps/{APP}/Dockerfile" in output, "the policy gate did not look at the new pipeline's Dockerfile"
