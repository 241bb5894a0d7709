"""Rendering as Argo CD does: the cluster's API versions kind-qualified, YAML read as Kubernetes reads
it, and a root app-of-apps failure reported first and once."""

from __future__ import annotations

from pathlib import Path

import pytest

from platformctl import helm, schemas
from platformctl.api_versions import builtin_api_versions, cluster_api_versions
from platformctl.catalogue import REQUIRED_COMPONENTS
from platformctl.crds import CrdCatalogue, crd_versions
from platformctl.kube_yaml import load_yaml_text
from platformctl.manifests import parse_manifest

from .chart_repository import FIXTURE_CHARTS
from .conftest import GateRunner, edit, messages

FIXTURES = Path(__file__).parent / "fixtures"


def test_builtin_api_versions_are_what_the_cluster_serves_by_default() -> None:
    served = set(builtin_api_versions("1.34"))
    assert {"v1", "v1/Pod", "apps/v1", "apps/v1/Deployment", "policy/v1", "policy/v1/PodDisruptionBudget"} <= served
    assert "policy/v1beta1/PodDisruptionBudget" not in served  # removed in 1.25
    assert not [v for v in served if "alpha" in v or "beta" in v]  # none on by default in 1.34
    assert not [v for v in served if v.endswith(("/DeleteOptions", "/WatchEvent", "List"))]
    # Betas that predate KEP-3136 stay on until their removal.
    assert "flowcontrol.apiserver.k8s.io/v1beta2/FlowSchema" in builtin_api_versions("1.28")
    assert "flowcontrol.apiserver.k8s.io/v1beta2/FlowSchema" not in builtin_api_versions("1.29")


def _render_probe(api_versions: tuple[str, ...], tmp_path: Path) -> list[dict]:
    request = helm.HelmRequest(FIXTURE_CHARTS / "pdb-probe", "probe", "default", (), "1.34.0", api_versions)
    text, _ = helm.template(request, root=tmp_path, cache_dir=None)
    return parse_manifest(text, "pdb-probe")


def test_chart_testing_a_kind_qualified_api_takes_the_branch_argo_cd_takes(mirror: Path, tmp_path: Path) -> None:
    crds = CrdCatalogue(mirror)
    api_versions = cluster_api_versions("1.34", crds)
    assert "monitoring.coreos.com/v1" in api_versions and "monitoring.coreos.com/v1/ServiceMonitor" in api_versions
    [pdb] = _render_probe(api_versions, tmp_path)
    assert pdb["apiVersion"] == "policy/v1"
    findings, _ = schemas.validate_objects("dev", "1.34", [schemas.Target(pdb, "probe", "")], crds)
    assert findings == [], messages(findings)
    # With the CRD versions only (no kind-qualified built-ins), helm falls back to an API 1.34 does not serve.
    [fallback] = _render_probe(tuple(crds.api_versions()), tmp_path)
    assert fallback["apiVersion"] == "policy/v1beta1"
    findings, _ = schemas.validate_objects("dev", "1.34", [schemas.Target(fallback, "probe", "")], crds)
    assert len(findings) == 1 and "policy/v1beta1 of PodDisruptionBudget is not served" in findings[0].message


def test_yaml_is_read_as_kubernetes_reads_it() -> None:
    path = FIXTURES / "yaml" / "value-tag-crd.yaml"
    [crd] = parse_manifest(path.read_text(), str(path))
    assert crd["metadata"]["annotations"]["fixture.example/released"] == "2026-08-21"
    [version] = crd_versions(crd, str(path))
    assert version.schema["properties"]["matchType"]["enum"] == ["!=", "=", "=~", "!~"]
    assert load_yaml_text("greeting: =\nbool: yes\n") == {"greeting": "=", "bool": True}  # YAML 1.1 booleans stay


@pytest.mark.slow
def test_root_render_failure_is_reported_first_and_once(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / "clusters" / "dev" / "platform.yaml", "environment: dev", "environment: ''")
    report = gate("dev", required=REQUIRED_COMPONENTS)
    assert not report.clean
    first = report.findings[0]
    assert (first.gate, first.application) == ("render", "_root"), messages(report.findings)
    assert "environment is required" in first.message
    consequences = [f for f in report.findings if "missing" in f.message or f.gate in {"graph", "schema"}]
    assert consequences == [], messages(consequences)
    assert [f.application for f in report.findings if f.gate == "render"] == ["_root"]
