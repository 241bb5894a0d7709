"""Cluster smoke suite: runs against a live cluster given by `--kubeconfig` or $KUBECONFIG, else skips.

`kube_config` overrides the pytest-helm-charts fixture of the same name (which fails hard without a
kubeconfig) so that every test here skips with the reason instead; `kube_cluster` (pykube) then comes
from pytest-helm-charts unchanged, and `k8s` is the official kubernetes client on the same kubeconfig.

The environment is $PLATFORM_ENV, else the one whose root Application (platform-<env>) the cluster has.
What must be there comes from the repository: the app-of-apps chart rendered with the real helm for
that environment.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config

from platformctl.environments import list_environments
from platformctl.paths import repo_root
from platformctl.tools import find_tool

SKIP_REASON = (
    "no kubeconfig: the cluster smoke suite needs a live cluster; run "
    "`make test-cluster KUBECONFIG=path/to/kubeconfig [PLATFORM_ENV=dev]` or pytest -m cluster --kubeconfig PATH"
)
ARGO_CD_NAMESPACE = "argocd"


@pytest.fixture(scope="module")
def kube_config(pytestconfig: pytest.Config) -> str:
    path = pytestconfig.getoption("kubeconfig", default=None) or os.environ.get("KUBECONFIG", "")
    if not path:
        pytest.skip(SKIP_REASON)
    if not Path(path).is_file():
        pytest.fail(f"kubeconfig {path} does not exist: fix the --kubeconfig/KUBECONFIG path", pytrace=False)
    return path


@dataclass(frozen=True)
class Kube:
    api: k8s_client.ApiClient

    @property
    def custom(self) -> k8s_client.CustomObjectsApi:
        return k8s_client.CustomObjectsApi(self.api)

    @property
    def networking(self) -> k8s_client.NetworkingV1Api:
        return k8s_client.NetworkingV1Api(self.api)

    @property
    def apps(self) -> k8s_client.AppsV1Api:
        return k8s_client.AppsV1Api(self.api)

    def applications(self) -> dict[str, dict[str, Any]]:
        """Argo CD Applications in the cluster, by name."""
        listing = self.custom.list_namespaced_custom_object(
            "argoproj.io", "v1alpha1", ARGO_CD_NAMESPACE, "applications"
        )
        return {item["metadata"]["name"]: item for item in listing["items"]}


@pytest.fixture(scope="module")
def k8s(kube_config: str) -> Kube:
    """The kubernetes client on the kubeconfig, after one probe: an unreachable cluster fails in one line."""
    api = k8s_config.new_client_from_config(config_file=kube_config)
    api.configuration.retries = 0
    try:
        k8s_client.VersionApi(api).get_code(_request_timeout=10)
    except Exception as error:  # urllib3, TLS, auth: whichever it is, say so and where
        reason = str(error).strip().splitlines()[-1][:200] if str(error).strip() else type(error).__name__
        pytest.fail(f"cluster {api.configuration.host} from {kube_config} unreachable: {reason}", pytrace=False)
    return Kube(api)


@pytest.fixture(scope="module")
def platform_env(k8s: Kube) -> str:
    explicit = os.environ.get("PLATFORM_ENV")
    if explicit:
        return explicit
    names = set(k8s.applications())
    matches = [env.name for env in list_environments() if f"platform-{env.name}" in names]
    if len(matches) != 1:
        pytest.fail(
            f"cannot tell the environment from root Applications {sorted(names)}: set PLATFORM_ENV", pytrace=False
        )
    return matches[0]


@pytest.fixture(scope="module")
def expected_applications(platform_env: str) -> dict[str, dict[str, Any]]:
    """The Applications the root Application renders for this env (plus the root itself)."""
    root = repo_root()
    command = [
        str(find_tool("helm")), "template", f"platform-{platform_env}", str(root / ".argocd/apps"),
        "--values", str(root / "clusters" / platform_env / "platform.yaml"),
    ]  # fmt: skip
    rendered = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    if rendered.returncode != 0:
        pytest.fail(f"helm template .argocd/apps for {platform_env}: {rendered.stderr.strip()}", pytrace=False)
    documents = [doc for doc in yaml.safe_load_all(rendered.stdout) if doc]
    applications = {doc["metadata"]["name"]: doc for doc in documents if doc.get("kind") == "Application"}
    bootstrap = yaml.safe_load_all((root / ".argocd/bootstrap" / f"{platform_env}.yaml").read_text())
    applications.update({d["metadata"]["name"]: d for d in bootstrap if d and d.get("kind") == "Application"})
    return applications
