"""The fixture charts stay tied to the chart versions the environments pin, and the namespaces' levels
to what the workloads now meet (docs/bootstrap-decisions.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from platformctl.environments import get_environment
from platformctl.paths import repo_root

CHARTS = Path(__file__).parent / "charts"
ENVIRONMENTS = ("dev", "staging", "prod")


def catalogue() -> dict[str, Any]:
    return yaml.safe_load((repo_root() / ".argocd/apps/values.yaml").read_text(encoding="utf-8"))["components"]


@pytest.mark.parametrize("fixture", sorted(path.name for path in CHARTS.iterdir() if path.is_dir()))
def test_fixture_reproduces_the_pinned_version(fixture: str) -> None:
    """A chart bump fails here until the fixture is re-read against the new upstream templates."""
    meta = yaml.safe_load((CHARTS / fixture / "Chart.yaml").read_text(encoding="utf-8"))
    chart, version = meta["annotations"]["platform.example/reproduces"].split()
    components = [name for name, spec in catalogue().items() if (spec.get("chart") or {}).get("name") == chart]
    assert components, f"no component deploys chart {chart}"
    for env in ENVIRONMENTS:
        pinned = get_environment(env).platform["components"][components[0]]["chart"]["version"]
        assert pinned == version, f"{env} pins {chart} {pinned}, fixture {fixture} reproduces {version}"


def test_every_namespace_enforces_restricted(render: Any, env: str) -> None:
    """No workload needs more since node-exporter left `monitoring` and the datahub and dagster pods comply."""
    namespaces = [obj for obj in render("platform/namespaces", "namespaces", env) if obj["kind"] == "Namespace"]
    levels = {
        ns["metadata"]["name"]: ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] for ns in namespaces
    }
    assert {"monitoring", "datahub", "dagster"} <= set(levels)
    assert {name: level for name, level in levels.items() if level != "restricted"} == {}
