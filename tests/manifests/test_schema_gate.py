"""Schema gate: strict Kubernetes schemas, CRD schemas, unknown kinds; every error reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import GateRunner, add_inline_values, add_web_objects, edit, errors_of, messages

pytestmark = pytest.mark.slow

CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"a": "b"}}


def test_unknown_field_of_a_builtin_kind_is_reported_with_its_path(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / "platform" / "web" / "templates" / "workload.yaml", "  replicas:", "  replica: 1\n  replicas:")
    found = errors_of(gate("dev"), "schema")
    assert len(found) == 1, messages(found)
    assert (found[0].application, found[0].kind, found[0].name) == ("web", "Deployment", "web")
    assert "spec: Additional properties are not allowed ('replica' was unexpected)" in found[0].message
    assert "Kubernetes 1.34" in found[0].message and found[0].file.endswith("web/manifest.yaml")


def test_every_error_of_an_object_is_reported(gate: GateRunner, fixture_repo: Path) -> None:
    bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "labelz": {}}, "data": {"count": 1}}
    add_web_objects(fixture_repo, bad)
    found = errors_of(gate("dev"), "schema")
    text = messages(found)
    assert "'labelz' was unexpected" in text and "data.count: 1 is not of type" in text, text


def test_unknown_kind_is_a_finding_never_a_skip(gate: GateRunner, fixture_repo: Path) -> None:
    add_web_objects(fixture_repo, {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})
    found = errors_of(gate("dev"), "schema")
    assert len(found) == 1 and "unknown kind example.com/v1/Widget" in found[0].message, messages(found)


def test_apiversion_not_served_names_the_served_ones(gate: GateRunner, fixture_repo: Path) -> None:
    add_web_objects(fixture_repo, {**CONFIG_MAP, "apiVersion": "apps/v1beta2", "kind": "Deployment"})
    found = errors_of(gate("dev"), "schema")
    assert any("apps/v1beta2 of Deployment is not served (served: apps/v1)" in f.message for f in found)


def test_custom_resource_is_validated_strictly_against_its_crd(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / "platform" / "web" / "templates" / "workload.yaml", "interval: 30s", "intervall: 30s")
    found = errors_of(gate("dev"), "schema")
    assert len(found) == 1 and found[0].kind == "ServiceMonitor", messages(found)
    assert "'intervall' was unexpected" in found[0].message
    assert "crds/prometheus-operator/crd-servicemonitors.yaml" in found[0].message


def test_crd_version_not_served(gate: GateRunner, fixture_repo: Path) -> None:
    edit(
        fixture_repo / "platform" / "web" / "templates" / "workload.yaml",
        "monitoring.coreos.com/v1",
        "monitoring.coreos.com/v2",
    )
    found = errors_of(gate("dev"), "schema")
    assert any("monitoring.coreos.com/v2 of ServiceMonitor is not served (served: v1)" in f.message for f in found)


def test_root_applications_are_validated_against_the_argo_cd_crd(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / ".argocd" / "apps" / "templates" / "applications.yaml", "selfHeal: true", "selfHeel: true")
    found = errors_of(gate("dev"), "schema")
    assert found and all(f.application == "_root" and f.kind == "Application" for f in found), messages(found)
    assert "'selfHeel' was unexpected" in found[0].message and "application-crd.yaml" in found[0].message
    assert found[0].file.endswith("_root/applications.yaml")


def test_preserve_unknown_fields_allows_any_field(gate: GateRunner, fixture_repo: Path) -> None:
    # Application.spec.source.helm.valuesObject is x-kubernetes-preserve-unknown-fields in the Argo CD CRD.
    add_inline_values(fixture_repo, "{anything: {goes: here}}")
    report = gate("dev")
    assert not errors_of(report, "schema"), messages(report.findings)


def test_custom_resource_metadata_is_validated_as_object_meta(gate: GateRunner, fixture_repo: Path) -> None:
    edit(
        fixture_repo / "platform" / "web" / "templates" / "workload.yaml",
        "kind: ServiceMonitor\nmetadata:\n",
        "kind: ServiceMonitor\nmetadata:\n  labelz: {a: b}\n",
    )
    found = errors_of(gate("dev"), "schema")
    assert len(found) == 1 and found[0].kind == "ServiceMonitor", messages(found)
    assert "metadata: Additional properties are not allowed ('labelz' was unexpected)" in found[0].message
