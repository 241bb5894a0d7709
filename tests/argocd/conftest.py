"""Fixtures of the app-of-apps tests: render charts of this repository with the real pinned helm.

Renders are cached per (chart, values files, overrides) within the test session: the app-of-apps
chart is rendered once per environment however many tests look at it.
"""

from __future__ import annotations

import functools
import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from platformctl.errors import PlatformError
from platformctl.paths import repo_root
from platformctl.tools import find_tool

APPS_CHART = ".argocd/apps"


@dataclass(frozen=True)
class Rendered:
    objects: tuple[dict[str, Any], ...]

    def of_kind(self, kind: str) -> dict[str, dict[str, Any]]:
        return {obj["metadata"]["name"]: obj for obj in self.objects if obj["kind"] == kind}

    @property
    def applications(self) -> dict[str, dict[str, Any]]:
        return self.of_kind("Application")

    @property
    def projects(self) -> dict[str, dict[str, Any]]:
        return self.of_kind("AppProject")


def _helm_env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name, folder in (("HELM_CACHE_HOME", "cache"), ("HELM_CONFIG_HOME", "config"), ("HELM_DATA_HOME", "data")):
        env.setdefault(name, str(root / ".cache" / "helm" / folder))
    return env


@functools.cache
def helm_template(chart: str, value_files: tuple[str, ...], overrides: str = "") -> Rendered:
    """`helm template` of `chart` (repo-relative) with `value_files` then the YAML text `overrides`."""
    root = repo_root()
    command = [str(find_tool("helm")), "template", "release", str(root / chart)]
    for value_file in value_files:
        command += ["-f", str(root / value_file)]
    with tempfile.TemporaryDirectory() as scratch:
        if overrides:
            override_file = Path(scratch) / "overrides.yaml"
            override_file.write_text(overrides, encoding="utf-8")
            command += ["-f", str(override_file)]
        result = subprocess.run(command, capture_output=True, text=True, env=_helm_env(root), check=False)
    if result.returncode != 0:
        raise PlatformError(f"helm template {chart}: {result.stderr.strip()}", fix="correct the values")
    return Rendered(tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc))


def render_apps(env: str, overrides: str = "") -> Rendered:
    """The app-of-apps chart as the root Application of `env` renders it."""
    return helm_template(APPS_CHART, (f"clusters/{env}/platform.yaml",), overrides)


def helm_lint_strict(chart: str, value_files: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    root = repo_root()
    command = [str(find_tool("helm")), "lint", "--strict", str(root / chart)]
    for value_file in value_files:
        command += ["-f", str(root / value_file)]
    return subprocess.run(command, capture_output=True, text=True, env=_helm_env(root), check=False)


def load_yaml(relative: str) -> Any:
    return yaml.safe_load((repo_root() / relative).read_text(encoding="utf-8"))


ENVIRONMENTS = ("dev", "staging", "prod")


@pytest.fixture(params=ENVIRONMENTS)
def env(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(name="render_apps")
def render_apps_fixture() -> Callable[[str, str], Rendered]:
    """`render_apps(env, overrides="")`: the app-of-apps of env with extra YAML values on top."""
    return render_apps


@pytest.fixture
def apps(env: str) -> Rendered:
    """The app-of-apps of `env`, rendered."""
    return render_apps(env)


@pytest.fixture
def platform_values(env: str) -> dict[str, Any]:
    """The catalogue merged with clusters/<env>/platform.yaml, as helm merges them."""
    return _merge(load_yaml(f"{APPS_CHART}/values.yaml"), load_yaml(f"clusters/{env}/platform.yaml"))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@pytest.fixture(name="helm_template")
def helm_template_fixture() -> Callable[..., Rendered]:
    return helm_template


@pytest.fixture(name="helm_lint_strict")
def helm_lint_strict_fixture() -> Callable[..., subprocess.CompletedProcess[str]]:
    return helm_lint_strict
