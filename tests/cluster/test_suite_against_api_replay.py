"""The smoke suite against a Kubernetes API replay on 127.0.0.1: it passes on a healthy platform and names
what is wrong on a broken one.

The replay answers the few API reads the suite makes (version, Argo CD Applications, Deployments) with
objects shaped as a real API server returns them; the Applications are the ones this repository's
app-of-apps renders for dev (real helm), so the replay follows the catalogue. The ingress probe needs
real DNS names and is left to live clusters.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from platformctl.tools import find_tool

SUITE = Path(__file__).with_name("test_smoke.py")
DEPLOYMENTS = [("data-apps", "exposition-api"), ("data-apps", "enrichment-api"), ("dagster", "dagster-webserver")]


def _rendered_applications(repo_root: Path) -> list[dict[str, Any]]:
    command = [
        str(find_tool("helm")), "template", "platform-dev", str(repo_root / ".argocd/apps"),
        "--values", str(repo_root / "clusters/dev/platform.yaml"),
    ]  # fmt: skip
    rendered = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    documents = [d for d in yaml.safe_load_all(rendered.stdout) if d and d.get("kind") == "Application"]
    root = next(
        d
        for d in yaml.safe_load_all((repo_root / ".argocd/bootstrap/dev.yaml").read_text())
        if d["kind"] == "Application"
    )
    return [*documents, root]


def _with_status(application: dict[str, Any], sync: str = "Synced", health: str = "Healthy") -> dict[str, Any]:
    return {**application, "status": {"sync": {"status": sync}, "health": {"status": health}}}


def _deployment(namespace: str, name: str, available: int) -> dict[str, Any]:
    labels = {"app.kubernetes.io/name": name, "platform.example/owner": "platform-team"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "generation": 3, "labels": labels,
                     "uid": "0b7b3c52-1d9e-4a3f-9c55-4a1e2f3d4c5b", "resourceVersion": "48213"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": name, "image": f"acrdataplatform.azurecr.io/{name}:1.0.0"}]},
            },
        },
        "status": {"observedGeneration": 3, "replicas": 2, "updatedReplicas": 2, "availableReplicas": available,
                   **({"unavailableReplicas": 2 - available} if available < 2 else {})},
    }  # fmt: skip


#: GET /version of an AKS 1.34 API server.
VERSION = {
    "major": "1", "minor": "34", "gitVersion": "v1.34.1", "gitCommit": "93248f9ae092f571eb870b7664c534bfc7d00f03",
    "gitTreeState": "clean", "buildDate": "2026-09-10T11:44:32Z", "goVersion": "go1.24.6", "compiler": "gc",
    "platform": "linux/amd64",
}  # fmt: skip


class KubeReplay:
    """Serves `applications` and `deployments` the way the API server lists and gets them."""

    def __init__(self, applications: list[dict[str, Any]], deployments: list[dict[str, Any]]) -> None:
        self.applications, self.deployments, self.paths = applications, deployments, []

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        path = path.rstrip("/") or "/"
        self.paths.append(path)
        parts = path.strip("/").split("/")
        if path == "/version":
            return 200, VERSION
        if path == "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications":
            return 200, {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationList", "items": self.applications}
        if path == "/apis/apps/v1/deployments":
            selector = query.get("labelSelector", [""])[0]
            items = [d for d in self.deployments if selector in d["metadata"]["labels"]]
            return 200, {"apiVersion": "apps/v1", "kind": "DeploymentList", "metadata": {"resourceVersion": "48213"},
                         "items": items}  # fmt: skip
        if parts[:3] == ["apis", "apps", "v1"] and len(parts) == 7 and parts[5] == "deployments":
            for deployment in self.deployments:
                if (deployment["metadata"]["namespace"], deployment["metadata"]["name"]) == (parts[4], parts[6]):
                    return 200, deployment
        return 404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404}


@pytest.fixture
def kube_replay(tmp_path: Path) -> Iterator[tuple[KubeReplay, Path]]:
    replay = KubeReplay([], [])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            status, body = replay.answer(url.path, parse_qs(url.query))
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "replay",
            "clusters": [{"name": "replay", "cluster": {"server": f"http://127.0.0.1:{server.server_address[1]}"}}],
            "users": [{"name": "replay", "user": {"token": "unused"}}],
            "contexts": [{"name": "replay", "context": {"cluster": "replay", "user": "replay"}}],
        })
    )  # fmt: skip
    try:
        yield replay, kubeconfig
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _run_suite(kubeconfig: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"KUBECONFIG", "PLATFORM_ENV"}}
    env["PLATFORM_SMOKE_TIMEOUT_SECONDS"] = "3"
    command = [sys.executable, "-m", "pytest", str(SUITE), "-p", "no:cacheprovider", "-q", "-m", "cluster",
               "-k", "not readyz and not platformctl_status", "--kubeconfig", str(kubeconfig)]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=180, check=False)


@pytest.mark.slow
def test_suite_passes_on_a_healthy_platform(
    kube_replay: tuple[KubeReplay, Path], repo_root: Path, tmp_path: Path
) -> None:
    replay, kubeconfig = kube_replay
    replay.applications = [_with_status(app) for app in _rendered_applications(repo_root)]
    replay.deployments = [_deployment(ns, name, available=2) for ns, name in DEPLOYMENTS]
    result = _run_suite(kubeconfig, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed, 2 deselected" in result.stdout
    assert "/apis/apps/v1/namespaces/dagster/deployments/dagster-webserver" in replay.paths


@pytest.mark.slow
def test_suite_names_the_degraded_application_and_the_unready_deployment(
    kube_replay: tuple[KubeReplay, Path], repo_root: Path, tmp_path: Path
) -> None:
    replay, kubeconfig = kube_replay
    applications = _rendered_applications(repo_root)
    replay.applications = [
        _with_status(app, "OutOfSync", "Degraded") if app["metadata"]["name"] == "datahub" else _with_status(app)
        for app in applications
        if app["metadata"]["name"] != "grafana"
    ]
    replay.deployments = [
        _deployment(ns, name, available=1 if name == "enrichment-api" else 2) for ns, name in DEPLOYMENTS
    ]
    result = _run_suite(kubeconfig, tmp_path)
    assert result.returncode == 1, result.stdout
    assert "2 failed" in result.stdout
    assert "datahub: sync OutOfSync, health Degraded" in result.stdout
    assert "grafana: missing (the root Application did not create it)" in result.stdout
    assert "TimeoutError" in result.stdout
