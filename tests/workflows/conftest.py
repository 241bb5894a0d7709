"""Fixtures of the workflow tests: copies of the repository, and the scaffold-then-gate comparison.

A gates test module (test_new_*_gates.py) names what it scaffolds in a module constant SCAFFOLD; the
fixtures `pristine`, `scaffolded` and `gates` here build on it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from platformctl.paths import tools_bin_dir, upstream_mirror

TOOLING_BIN = Path(sys.executable).parent


def copy_tracked_files(repo_root: Path, target: Path) -> Path:
    """Copy every file git tracks in repo_root into target (what a clone would hold); return target."""
    tracked = subprocess.run(["git", "-C", str(repo_root), "ls-files"], capture_output=True, text=True, check=True)
    for name in tracked.stdout.splitlines():
        if (repo_root / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(repo_root / name, target / name)
    return target


@pytest.fixture
def repo(tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of every file git tracks in this checkout, and the repository platformctl works on."""
    copy = copy_tracked_files(repo_root, tmp_path / "repo")
    monkeypatch.setenv("PLATFORM_REPO_ROOT", str(copy))
    return copy


@dataclass(frozen=True)
class Scaffold:
    """What a gates test scaffolds: `platformctl new-app NAME --kind KIND`."""

    name: str
    kind: str
    # An app of the tooling venv: `make venvs` makes its src importable there, so every command sees it.
    in_tooling_venv: bool
    timeout: int  # default bound of one command, in seconds


@dataclass(frozen=True)
class Gates:
    """Runs commands as CI runs them (a subprocess, real tools, checkov's own venv) in a repository copy."""

    repo_root: Path
    scaffold: Scaffold

    def venv_root(self) -> Path:
        return Path(os.environ.get("VENV_ROOT", self.repo_root / ".venv")).resolve()

    def _environment(self, copy: Path, extra: dict[str, str]) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PATH=f"{tools_bin_dir(self.repo_root)}{os.pathsep}{TOOLING_BIN}{os.pathsep}{env.get('PATH', '')}",
            PLATFORM_REPO_ROOT=str(copy),
            PLATFORM_UPSTREAM_MIRROR=str(upstream_mirror(root=self.repo_root)),
            VENV_ROOT=str(self.venv_root()),  # checkov's own virtualenv
        )
        if self.scaffold.in_tooling_venv:
            app_src = copy / "apps" / self.scaffold.name / "src"
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(app_src), env.get("PYTHONPATH")]))
        env.update(extra)
        return env

    def run(
        self, copy: Path, *args: str, cwd: Path | None = None, timeout: int | None = None, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        """Run args in copy (or cwd), with extra environment variables; never raises on a non-zero exit."""
        return subprocess.run(
            args,
            cwd=cwd or copy,
            env=self._environment(copy, extra),
            capture_output=True,
            text=True,
            timeout=timeout or self.scaffold.timeout,
            check=False,
        )

    def platformctl(self, copy: Path, *args: str, timeout: int | None = None) -> subprocess.CompletedProcess[str]:
        return self.run(copy, str(TOOLING_BIN / "platformctl"), *args, timeout=timeout)

    def assert_lint_passes(self, copy: Path, *yaml_folders: str) -> None:
        """ruff and ruff format on the app, yamllint --strict on it and on the folders its registration edits."""
        app = f"apps/{self.scaffold.name}"
        for command in (
            [str(TOOLING_BIN / "ruff"), "check", app],
            [str(TOOLING_BIN / "ruff"), "format", "--check", app],
            [str(TOOLING_BIN / "yamllint"), "--strict", app, *yaml_folders],
        ):
            done = self.run(copy, *command)
            assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}{done.stderr}"

    def findings(self, copy: Path, *gate: str) -> tuple[int, list[str], str]:
        """Exit code, the gate's JSON findings as comparable lines (the copy's path replaced) and its output."""
        done = self.platformctl(copy, *gate, "--json")
        assert done.returncode in (0, 1), f"{' '.join(gate)} crashed: {done.stderr[-2000:]}"
        items: list[dict[str, Any]] = json.loads(done.stdout.replace(str(copy), "<root>"))
        problems = [item for item in items if item.get("status", "FAILED") != "PASSED"]  # policy lists passes too
        return done.returncode, sorted(json.dumps(item, sort_keys=True) for item in problems), done.stdout

    def assert_no_new_finding(self, pristine: Path, scaffolded: Path, *gate: str) -> str:
        """The gate's JSON output on the scaffolded copy, after checking it has no finding the pristine lacks."""
        before_code, before, _ = self.findings(pristine, *gate)
        after_code, after, output = self.findings(scaffolded, *gate)
        new = sorted(set(after) - set(before))
        assert not new, f"{' '.join(gate)}: the scaffold adds findings:\n" + "\n".join(new)
        assert after_code == before_code
        return output


@pytest.fixture(scope="module")
def scaffold(request: pytest.FixtureRequest) -> Scaffold:
    """The test module's SCAFFOLD."""
    return request.module.SCAFFOLD


@pytest.fixture(scope="module")
def gates(repo_root: Path, scaffold: Scaffold) -> Gates:
    return Gates(repo_root, scaffold)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    """A copy of the repository as it is."""
    return copy_tracked_files(repo_root, tmp_path_factory.mktemp("pristine"))


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory, repo_root: Path, gates: Gates, scaffold: Scaffold) -> Path:
    """A copy of the repository after `platformctl new-app NAME --kind KIND`."""
    copy = copy_tracked_files(repo_root, tmp_path_factory.mktemp("scaffolded"))
    done = gates.platformctl(copy, "new-app", scaffold.name, "--kind", scaffold.kind)
    assert done.returncode == 0, done.stderr
    return copy
