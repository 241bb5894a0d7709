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

from platformctl.helm import HelmRequest, template
from platformctl.paths import repo_root

CHARTS = Path(__file__).parent / "charts"
ENVIRONMENTS = ("dev", "staging", "prod")
KUBE_VERSION = "1.34.0"  # the clusters' version (clusters/<env>/cluster.yaml); the fixtures do not depend on it
POD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"}


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
    for obj in objects:
        spec = obj.get("spec") or {}
        name = f"{obj['kind']}/{obj['metadata']['name']}"
        if obj["kind"] in POD_KINDS:
            yield name, spec["template"]["spec"]
        elif obj["kind"] == "CronJob":
            yield name, spec["jobTemplate"]["spec"]["template"]["spec"]


def restricted_problems(pod: dict[str, Any]) -> list[str]:
    """What keeps a pod spec from Pod Security `restricted` (the AKS restricted initiative checks the same)."""
    problems = [field for field in ("hostNetwork", "hostPID", "hostIPC") if pod.get(field)]
    problems += [f"hostPath volume {v['name']}" for v in pod.get("volumes") or [] if "hostPath" in v]
    pod_context = pod.get("securityContext") or {}
    for container in [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]:
        context, name = container.get("securityContext") or {}, container["name"]
        capabilities = context.get("capabilities") or {}
        seccomp = (context.get("seccompProfile") or pod_context.get("seccompProfile") or {}).get("type")
        checks = {
            "privileged": not context.get("privileged"),
            "allowPrivilegeEscalation: false": context.get("allowPrivilegeEscalation") is False,
            "capabilities.drop: [ALL]": "ALL" in (capabilities.get("drop") or []),
            "no added capability but NET_BIND_SERVICE": set(capabilities.get("add") or []) <= {"NET_BIND_SERVICE"},
            "runAsNonRoot: true": context.get("runAsNonRoot", pod_context.get("runAsNonRoot")) is True,
            "runAsUser != 0": context.get("runAsUser", pod_context.get("runAsUser")) != 0,
            "seccompProfile RuntimeDefault or Localhost": seccomp in {"RuntimeDefault", "Localhost"},
        }
        problems += [f"container {name}: {rule}" for rule, ok in checks.items() if not ok]
    return problems


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


@pytest.fixture(name="restricted_problems")
def restricted_problems_fixture() -> Callable[[dict[str, Any]], list[str]]:
    return restricted_problems
