"""Fixtures of the upstream-behaviour tests.

Each chart under tests/upstream/charts/ reproduces, in a few lines, the template logic of one pinned
upstream chart that this repository's values rely on (its Chart.yaml names the chart and version it
reproduces). The tests render it with the repository's real value files (base then env, as the
Applications do), so CI proves offline what those values do, without the upstream archive.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from platformctl.admission.azure.initiative import initiative_of
from platformctl.admission.gate import judge
from platformctl.admission.namespaces import PodSecurity, parse_version
from platformctl.admission.pods import pod_templates
from platformctl.admission.violations import describe
from platformctl.environments import get_environment
from platformctl.helm import HelmRequest, template
from platformctl.paths import repo_root

CHARTS = Path(__file__).parent / "charts"
ENVIRONMENTS = ("dev", "staging", "prod")
KUBE_VERSION = "1.34.0"  # the clusters' version (clusters/<env>/cluster.yaml); the fixtures do not depend on it


@functools.cache
def render(fixture: str, component: str, env: str, overrides: str = "") -> tuple[dict[str, Any], ...]:
    """`helm template` of a fixture chart (or an in-repo chart path) with platform/<component>/values.yaml,
    values-<env>.yaml, then `overrides` (YAML text)."""
    root = repo_root()
    chart = CHARTS / fixture if (CHARTS / fixture).is_dir() else root / fixture
    value_files = [root / "platform" / component / name for name in ("values.yaml", f"values-{env}.yaml")]
    with tempfile.TemporaryDirectory() as scratch:
        if overrides:
            value_files.append(Path(scratch) / "overrides.yaml")
            value_files[-1].write_text(overrides, encoding="utf-8")
        request = HelmRequest(chart, component, component, tuple(value_files), KUBE_VERSION, include_crds=False)
        text, _ = template(request, root=root, cache_dir=None)
    return tuple(doc for doc in yaml.safe_load_all(text) if doc)


def pod_specs(objects: tuple[dict[str, Any], ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(Kind/name, pod spec) of every workload, CronJobs included."""
    for pod in pod_templates(objects, "default"):
        yield f"{pod.kind}/{pod.name}", pod.spec


def rejections(objects: tuple[dict[str, Any], ...], env: str, namespace: str) -> dict[str, list[str]]:
    """Kind/name -> '<check id>: <what>' of every admission rule that rejects a pod template of `objects`
    in `namespace` of `env`: Pod Security `restricted` (what every namespace enforces) and the env's Azure
    Policy initiative, judged by the admission gate itself."""
    environment = get_environment(env)
    security = PodSecurity("restricted", parse_version(environment.kubernetes_version))
    initiative = initiative_of(environment.cluster)
    found: dict[str, list[str]] = {}
    for pod in pod_templates(objects, namespace):
        problems = [f"{r.check_id}: {describe(r.parts)}" for r in judge(pod, security, initiative)]
        if problems:
            found[f"{pod.kind}/{pod.name}"] = problems
    return found


@pytest.fixture(params=ENVIRONMENTS)
def env(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(name="render")
def render_fixture() -> Callable[..., tuple[dict[str, Any], ...]]:
    """`render(fixture_chart, component, env, overrides="")`."""
    return render


@pytest.fixture(name="pod_specs")
def pod_specs_fixture() -> Callable[..., Iterator[tuple[str, dict[str, Any]]]]:
    return pod_specs


@pytest.fixture(name="rejections")
def rejections_fixture() -> Callable[..., dict[str, list[str]]]:
    """`rejections(objects, env, namespace)`: what the admission gate rejects, per pod template."""
    return rejections
