"""The admission fixtures: the manifest gate's fixture repository plus one fixture chart per failure.

`admission_env(chart, namespace, ...)` deploys tests/admission/fixtures/charts/<chart> as the
Application `case` into `namespace`, next to an in-repo chart rendering the Namespace objects with the
Pod Security levels given, optionally assigns the AKS restricted initiative in cluster.yaml, writes
policies/exceptions.yaml, and returns the admission findings of the env.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from platformctl.findings import Finding
from platformctl.gate import run_gates

MANIFEST_FIXTURE = Path(__file__).parents[1] / "manifests" / "fixtures" / "repo"
CHARTS = Path(__file__).parent / "fixtures" / "charts"
REQUIRED = ("web", "cert-manager", "kube-prometheus-stack")
RESTRICTED_SET = "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00"

AdmissionEnv = Callable[..., list[Finding]]


def initiative(effect: str = "deny", excluded: tuple[str, ...] = (), **parameters: list[str]) -> dict[str, Any]:
    """spec.azurePolicy of cluster.yaml assigning the restricted initiative."""
    block: dict[str, Any] = {
        "name": "pod-security-restricted",
        "definitionId": RESTRICTED_SET,
        "effect": effect,
        # `web`: the manifest fixture's own app, whose Deployment sets no security context at all
        "excludedNamespaces": ["kube-system", "gatekeeper-system", "web", *excluded],
    }
    if parameters:
        block["parameters"] = parameters
    return {"enabled": True, "initiative": block}


def _add_component(root: Path, name: str, namespace: str, path: str, wave: int) -> None:
    values_file = root / ".argocd" / "apps" / "values.yaml"
    values = yaml.safe_load(values_file.read_text(encoding="utf-8"))
    values["components"][name] = {"project": "apps", "namespace": namespace, "wave": wave, "path": path, "values": path}
    values_file.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")


def _install_chart(root: Path, chart: str, values: dict[str, Any]) -> str:
    target = root / "platform" / chart
    shutil.copytree(CHARTS / chart, target)
    (target / "values-dev.yaml").write_text(yaml.safe_dump(values), encoding="utf-8")
    return f"platform/{chart}"


@pytest.fixture
def admission_env(tmp_path: Path, repo_root: Path, mirror: Path) -> AdmissionEnv:
    render_cache = tmp_path / "render-cache"

    def run(
        chart: str,
        namespace: str,
        levels: dict[str, str] | None = None,
        azure_policy: dict[str, Any] | None = None,
        exceptions: list[dict[str, Any]] | None = None,
        today: dt.date | None = None,
    ) -> list[Finding]:
        root = tmp_path / f"repo-{len(list(tmp_path.glob('repo-*')))}"
        shutil.copytree(MANIFEST_FIXTURE, root)
        shutil.copy(repo_root / "clusters" / "cluster.schema.json", root / "clusters" / "cluster.schema.json")
        _add_component(
            root,
            "namespaces",
            "kube-system",
            _install_chart(root, "pod-security-namespaces", {"namespaces": levels or {}}),
            -5,
        )
        _add_component(root, "case", namespace, _install_chart(root, chart, {}), 1)
        if azure_policy is not None:
            cluster_file = root / "clusters" / "dev" / "cluster.yaml"
            cluster = yaml.safe_load(cluster_file.read_text(encoding="utf-8"))
            cluster["spec"]["azurePolicy"] = azure_policy
            cluster_file.write_text(yaml.safe_dump(cluster, sort_keys=False), encoding="utf-8")
        if exceptions is not None:
            (root / "policies").mkdir(exist_ok=True)
            text = yaml.safe_dump({"exceptions": exceptions}, sort_keys=False)
            (root / "policies" / "exceptions.yaml").write_text(text, encoding="utf-8")
        report = run_gates(
            "dev",
            root=root,
            mirror=mirror,
            charts=tmp_path / "no-chart-cache",
            render_cache=render_cache,
            out_dir=tmp_path / "out" / root.name,
            required=REQUIRED,
            today=today,
        )
        assert "admission" in report.timings
        return [finding for finding in report.findings if finding.gate == "admission"]

    return run
