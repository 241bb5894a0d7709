"""After bootstrap and first sync: Applications Synced/Healthy, our Deployments ready, APIs answer /readyz."""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
from pytest_helm_charts.k8s.deployment import wait_for_deployments_to_run

pytestmark = pytest.mark.cluster
DATA_APP_CHART_PATH = "apps/chart"  # the shared chart of our Flask data APIs
OUR_LABEL = "platform.example/owner"
DEPLOYMENT_TIMEOUT_SECONDS = int(os.environ.get("PLATFORM_SMOKE_TIMEOUT_SECONDS", "300"))
HTTP_TIMEOUT_SECONDS = 10


def test_every_application_is_synced_and_healthy(k8s: Any, expected_applications: dict[str, Any]) -> None:
    live = k8s.applications()
    problems = []
    for name in sorted(expected_applications):
        if name not in live:
            problems.append(f"{name}: missing (the root Application did not create it)")
            continue
        status = live[name].get("status") or {}
        sync = (status.get("sync") or {}).get("status", "Unknown")
        health = (status.get("health") or {}).get("status", "Unknown")
        if (sync, health) != ("Synced", "Healthy"):
            reason = "; ".join(c.get("message", "") for c in status.get("conditions") or [])
            problems.append(f"{name}: sync {sync}, health {health}" + (f" ({reason})" if reason else ""))
    assert not problems, "Applications not Synced/Healthy:\n  " + "\n  ".join(problems)


def test_every_deployment_of_ours_is_ready(kube_cluster: Any, k8s: Any) -> None:
    deployments = k8s.apps.list_deployment_for_all_namespaces(label_selector=OUR_LABEL).items
    assert deployments, f"no Deployment labelled {OUR_LABEL}: the platform is not deployed"
    by_namespace: dict[str, list[str]] = {}
    for deployment in deployments:
        by_namespace.setdefault(deployment.metadata.namespace, []).append(deployment.metadata.name)
    for namespace, names in sorted(by_namespace.items()):
        ready = wait_for_deployments_to_run(
            kube_cluster.kube_client, sorted(names), namespace, DEPLOYMENT_TIMEOUT_SECONDS, missing_ok=False
        )
        assert len(ready) == len(names), f"{namespace}: ready {len(ready)} of {sorted(names)}"


def _sources(application: dict[str, Any]) -> list[dict[str, Any]]:
    spec = application.get("spec", {})
    return list(spec.get("sources") or ([spec["source"]] if spec.get("source") else []))


def _data_apps(expected_applications: dict[str, Any]) -> dict[str, str]:
    """Data API Applications (the in-repo Flask chart) -> their namespace."""
    apps = {}
    for name, application in expected_applications.items():
        if any(source.get("path") == DATA_APP_CHART_PATH for source in _sources(application)):
            apps[name] = application["spec"]["destination"]["namespace"]
    return apps


def test_apis_answer_readyz_through_the_ingress(k8s: Any, expected_applications: dict[str, Any]) -> None:
    apps = _data_apps(expected_applications)
    assert apps, f"no Application deploys {DATA_APP_CHART_PATH}: nothing to probe"
    failures = []
    for name, namespace in sorted(apps.items()):
        ingresses = k8s.networking.list_namespaced_ingress(
            namespace, label_selector=f"app.kubernetes.io/instance={name}"
        ).items
        urls = [
            f"https://{rule.host}{path.path.rstrip('/')}/readyz"
            for ingress in ingresses
            for rule in ingress.spec.rules or []
            if rule.host and rule.http
            for path in rule.http.paths
        ]
        if not urls:
            failures.append(f"{name}: no Ingress with a host in namespace {namespace}")
        for url in urls:
            try:
                response = requests.get(url, timeout=HTTP_TIMEOUT_SECONDS)
            except requests.RequestException as error:
                failures.append(f"{name}: {url}: {type(error).__name__}: {error}")
                continue
            if response.status_code != 200:
                failures.append(f"{name}: {url}: HTTP {response.status_code} {response.text[:200]}")
    assert not failures, "APIs not ready through the ingress:\n  " + "\n  ".join(failures)


def test_platformctl_status_is_ready(platform_env: str) -> None:
    """The same judgement the promotion waits for: every Application Synced and Healthy, no hook failed.

    Needs the env's Argo CD API (ARGOCD_SERVER_<ENV> or ARGOCD_SERVER, and a token); the expected revision
    is whatever the cluster runs (PLATFORM_EXPECTED_REVISION, default this checkout's HEAD).
    """
    suffix = platform_env.upper()
    if not (os.environ.get(f"ARGOCD_SERVER_{suffix}") or os.environ.get("ARGOCD_SERVER")):
        pytest.skip(f"no Argo CD API for {platform_env}: set ARGOCD_SERVER_{suffix} and ARGOCD_AUTH_TOKEN_{suffix}")
    from platformctl.cli import main

    revision = os.environ.get("PLATFORM_EXPECTED_REVISION", "HEAD")
    assert main(["status", platform_env, "--revision", revision]) == 0, "see the status table above"
