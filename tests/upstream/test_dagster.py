"""dagster 1.13.27 values (docs/bootstrap-decisions.md#2). The chart archive could not be built here, so
this checks the security contexts our values hand to each pod the chart and the run launcher create."""

from __future__ import annotations

from typing import Any

import yaml

from platformctl.manifests import deep_merge
from platformctl.paths import repo_root


def values(env: str) -> dict[str, Any]:
    folder = repo_root() / "platform" / "dagster"
    base, overlay = (
        yaml.safe_load((folder / name).read_text(encoding="utf-8")) for name in ("values.yaml", f"values-{env}.yaml")
    )
    return deep_merge(base, overlay)


def pods(merged: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """Deployments as the chart builds them: <component>.podSecurityContext on the pod, .securityContext on
    its containers (init containers such as check-db-ready included); a Job for the run pods (runK8sConfig)."""

    def workload(kind: str, name: str, pod_context: Any, container_context: Any) -> dict[str, Any]:
        container = {"name": "main", "image": "dagster", "securityContext": container_context}
        spec = {
            "securityContext": pod_context,
            "initContainers": [{**container, "name": "init"}],
            "containers": [container],
        }
        return {"kind": kind, "metadata": {"name": name}, "spec": {"template": {"spec": spec}}}

    found = [
        workload("Deployment", name, merged[name]["podSecurityContext"], merged[name]["securityContext"])
        for name in ("dagsterWebserver", "dagsterDaemon")
    ]
    for deployment in merged["dagster-user-deployments"]["deployments"]:
        contexts = (deployment["podSecurityContext"], deployment["securityContext"])
        found.append(workload("Deployment", deployment["name"], *contexts))
    run = merged["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfig"]
    found.append(
        workload("Job", "run", run["podSpecConfig"]["securityContext"], run["containerConfig"]["securityContext"])
    )
    return tuple(found)


def test_every_dagster_pod_is_admitted(env: str, pod_specs: Any, rejections: Any) -> None:
    merged = values(env)
    assert merged["runLauncher"]["type"] == "K8sRunLauncher"
    objects = pods(merged)
    assert {"Deployment/dagsterWebserver", "Deployment/dagsterDaemon", "Job/run"} < set(dict(pod_specs(objects)))
    assert rejections(objects, env, "dagster") == {}
