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


def pods(merged: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Pod specs as the chart builds them: <component>.podSecurityContext on the pod, .securityContext on
    its containers (init containers such as check-db-ready included); run pods from runK8sConfig."""

    def pod(pod_context: Any, container_context: Any) -> dict[str, Any]:
        return {"securityContext": pod_context, "containers": [{"name": "main", "securityContext": container_context}]}

    found = {
        name: pod(merged[name]["podSecurityContext"], merged[name]["securityContext"])
        for name in ("dagsterWebserver", "dagsterDaemon")
    }
    for deployment in merged["dagster-user-deployments"]["deployments"]:
        found[f"user-deployment/{deployment['name']}"] = pod(
            deployment["podSecurityContext"], deployment["securityContext"]
        )
    run = merged["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfig"]
    found["run-pods"] = pod(run["podSpecConfig"]["securityContext"], run["containerConfig"]["securityContext"])
    return found


def test_every_dagster_pod_is_restricted(env: str, restricted_problems: Any) -> None:
    merged = values(env)
    assert merged["runLauncher"]["type"] == "K8sRunLauncher"
    found = pods(merged)
    assert {name: restricted_problems(spec) for name, spec in found.items() if restricted_problems(spec)} == {}
    assert {"dagsterWebserver", "dagsterDaemon", "run-pods"} < set(found)
