"""Fixtures of the manifest gate tests: a writable copy of the fixture repository and one render cache.

Every test renders through the same session-wide render cache, so a (chart, values) pair is rendered
by helm once per session; a test that changes a chart or a value file gets a fresh render because
the cache key covers both.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from platformctl.findings import Finding
from platformctl.gate import EnvReport, run_gates

FIXTURE = Path(__file__).parent / "fixtures" / "repo"
# The components the fixture repository must run (the real list is platformctl.catalogue.REQUIRED_COMPONENTS).
FIXTURE_REQUIRED = ("web", "cert-manager", "kube-prometheus-stack")


@pytest.fixture(scope="session")
def render_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("render-cache")


@pytest.fixture
def fixture_repo(tmp_path: Path, repo_root: Path) -> Path:
    """A fresh copy of the fixture repository (with the real cluster.yaml schema)."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    shutil.copy(repo_root / "clusters" / "cluster.schema.json", root / "clusters" / "cluster.schema.json")
    return root


GateRunner = Callable[..., EnvReport]


@pytest.fixture
def gate(fixture_repo: Path, render_cache: Path, mirror: Path, tmp_path: Path) -> GateRunner:
    """Run every gate on the fixture copy: gate("dev") -> EnvReport."""

    def run(env: str = "dev", **options: object) -> EnvReport:
        options.setdefault("required", FIXTURE_REQUIRED)
        options.setdefault("charts", tmp_path / "no-chart-cache")
        return run_gates(
            env, root=fixture_repo, mirror=mirror, render_cache=render_cache, out_dir=tmp_path / "out" / env, **options
        )

    return run


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` in `path`, failing loudly when `old` is absent (a broken test setup)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def errors_of(report: EnvReport, gate_name: str) -> list[Finding]:
    return [f for f in report.findings if f.gate == gate_name and f.severity == "error"]


def messages(findings: list[Finding]) -> str:
    return "\n".join(f.one_line() for f in findings)


def add_web_objects(root: Path, *objects: dict[str, object], env: str = "dev") -> None:
    """Make the fixture's in-repo chart `web` render `objects` too (through its extraObjects value)."""
    values_file = root / "platform" / "web" / f"values-{env}.yaml"
    values = yaml.safe_load(values_file.read_text(encoding="utf-8")) or {}
    values["extraObjects"] = [*values.get("extraObjects", []), *objects]
    values_file.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")


def add_inline_values(root: Path, flow_mapping: str) -> None:
    """Give every child Application of the fixture's app-of-apps chart `helm.valuesObject: <flow_mapping>`."""
    edit(
        root / ".argocd" / "apps" / "templates" / "applications.yaml",
        "        releaseName: {{ $name }}",
        f"        releaseName: {{{{ $name }}}}\n        valuesObject: {flow_mapping}",
    )
