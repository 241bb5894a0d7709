"""A scaffolded app passes the gates untouched: each gate runs on a copy of the repository without
and with `platformctl new-app sales-api --kind api`, and the scaffold may add no finding at all.

The copies hold every file git tracks here; the gates run as CI runs them (the platformctl CLI in a
subprocess, real helm, checkov, promtool, gunicorn, locust, Prometheus).
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

APP = "sales-api"
TOOLING_BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow


def _copy(repo_root: Path, target: Path) -> Path:
    tracked = subprocess.run(["git", "-C", str(repo_root), "ls-files"], capture_output=True, text=True, check=True)
    for name in tracked.stdout.splitlines():
        if (repo_root / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(repo_root / name, target / name)
    return target


def _environment(repo_root: Path, copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PATH=f"{tools_bin_dir(repo_root)}{os.pathsep}{TOOLING_BIN}{os.pathsep}{env.get('PATH', '')}",
        PLATFORM_REPO_ROOT=str(copy),
        PLATFORM_UPSTREAM_MIRROR=str(upstream_mirror(root=repo_root)),
        VENV_ROOT=str(repo_root / ".venv"),  # checkov's own virtualenv
        # What `make venvs` does for a new pyproject.toml: the new app importable by the tooling venv.
        PYTHONPATH=os.pathsep.join(filter(None, [str(copy / "apps" / APP / "src"), env.get("PYTHONPATH")])),
    )
    return env


def run(repo_root: Path, copy: Path, *args: str, timeout: int = 400) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=copy, env=_environment(repo_root, copy), capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    return _copy(repo_root, tmp_path_factory.mktemp("pristine"))


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    copy = _copy(repo_root, tmp_path_factory.mktemp("scaffolded"))
    done = run(repo_root, copy, str(TOOLING_BIN / "platformctl"), "new-app", APP, "--kind", "api")
    assert done.returncode == 0, done.stderr
    return copy


def _findings(repo_root: Path, copy: Path, *gate: str) -> tuple[int, list[str], str]:
    """Exit code and the gate's JSON findings as comparable lines (the copy's path replaced)."""
    done = run(repo_root, copy, str(TOOLING_BIN / "platformctl"), *gate, "--json")
    assert done.returncode in (0, 1), f"{' '.join(gate)} crashed: {done.stderr[-2000:]}"
    items: list[dict[str, Any]] = json.loads(done.stdout.replace(str(copy), "<root>"))
    problems = [item for item in items if item.get("status", "FAILED") != "PASSED"]  # policy lists passes too
    return done.returncode, sorted(json.dumps(item, sort_keys=True) for item in problems), done.stdout


def _assert_no_new_finding(repo_root: Path, pristine: Path, scaffolded: Path, *gate: str) -> str:
    """The gate's JSON output on the scaffolded copy, after checking it has no finding the pristine lacks."""
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
        [str(TOOLING_BIN / "yamllint"), "--strict", f"apps/{APP}", "clusters"],
    ):
        done = run(repo_root, scaffolded, *command)
        assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}{done.stderr}"


def test_the_apps_own_tests_pass(repo_root: Path, scaffolded: Path) -> None:
    done = run(repo_root, scaffolded, str(TOOLING_BIN / "pytest"), f"apps/{APP}/tests", "-p", "no:cacheprovider")
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout


def test_manifest_gate(repo_root: Path, pristine: Path, scaffolded: Path) -> None:
    _assert_no_new_finding(repo_root, pristine, scaffolded, "validate", "--all")
    for env in ("dev", "staging", "prod"):
        manifest = scaffolded / "build" / "rendered" / env / APP / "manifest.yaml"
        assert manifest.is_file() and "kind: Deployment" in manifest.read_text(), f"{APP} not rendered in {env}"


def test_policy_gate(repo_root: Path, pristine: Path, scaffolded: Path) -> None:
    output = _assert_no_new_finding(repo_root, pristine, scaffolded, "policy", "--all")
    assert f"apps/{APP}/Dockerfile" in output, "the policy gate did not look at the new app"


def test_monitoring_gate(repo_root: Path, pristine: Path, scaffolded: Path) -> None:
    _assert_no_new_finding(repo_root, pristine, scaffolded, "monitoring")


@pytest.mark.load
def test_load_gate(repo_root: Path, scaffolded: Path) -> None:
    done = run(repo_root, scaffolded, str(TOOLING_BIN / "platformctl"), "loadtest", APP, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert done.stdout.rstrip().endswith("PASS")
