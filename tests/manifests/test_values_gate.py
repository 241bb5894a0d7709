"""Upstream values gate: keys against chart defaults (and subcharts), values.schema.json, versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from platformctl.charts.check import coverage_finding
from platformctl.values_check import load_chart, unknown_keys

from .conftest import GateRunner, add_inline_values, edit, errors_of, messages

pytestmark = pytest.mark.slow


def test_override_key_typo_names_file_and_closest_key(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / "platform" / "kube-prometheus-stack" / "values.yaml", "retention: 10d", "retenton: 10d")
    found = errors_of(gate("dev"), "values")
    assert len(found) == 1, messages(found)
    assert found[0].message == "unknown key `prometheus.prometheusSpec.retenton` for chart kube-prometheus-stack 88.5.3"
    assert found[0].fix == "did you mean `prometheus.prometheusSpec.retention`?"
    assert found[0].file == "$values/platform/kube-prometheus-stack/values.yaml"


def test_key_in_env_file_names_the_env_file(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / "platform" / "kube-prometheus-stack" / "values-dev.yaml", "alertmanager", "alertmanger")
    found = errors_of(gate("dev"), "values")
    assert [f.file for f in found] == ["$values/platform/kube-prometheus-stack/values-dev.yaml"], messages(found)
    assert "did you mean `alertmanager`" in found[0].fix


def test_values_schema_violation_is_reported(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / "platform" / "cert-manager" / "values-dev.yaml", "replicaCount: 1", "replicaCount: two")
    found = errors_of(gate("dev"), "values")
    assert any(f.message.startswith("replicaCount: ") and "values.schema.json" in f.message for f in found), messages(
        found
    )


def test_unknown_key_rejected_by_values_schema_and_defaults(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / "platform" / "cert-manager" / "values-dev.yaml", "replicaCount: 1", "replicaCont: 1")
    found = errors_of(gate("dev"), "values")
    assert any("unknown key `replicaCont`" in f.message and "`replicaCount`" in f.fix for f in found), messages(found)


def test_free_form_map_takes_any_key(mirror: Path, tmp_path: Path) -> None:
    chart = load_chart("kube-prometheus-stack", "88.5.3", mirror, tmp_path)
    assert chart is not None
    overrides = {"prometheus": {"prometheusSpec": {"podMetadata": {"annotations": {"x": "y"}}}}}
    assert unknown_keys(overrides, chart.defaults, chart.name) == []
    # grafana.ini is documented free-form (platformctl.catalogue.FREE_FORM_VALUES).
    assert unknown_keys({"grafana": {"grafana.ini": {"server": {"root_url": "x"}}}}, chart.defaults, chart.name) == []


def test_subchart_defaults_apply_under_their_key(mirror: Path, tmp_path: Path) -> None:
    chart = load_chart("datahub", "1.1.0", mirror, tmp_path)
    assert chart is not None
    good = {"datahub-gms": {"resources": {"limits": {"memory": "2Gi"}}}}
    assert unknown_keys(good, chart.defaults, chart.name, chart.schema) == []
    bad = {"datahub-gms": {"resorces": {}}}
    assert unknown_keys(bad, chart.defaults, chart.name, chart.schema) == [
        ("datahub-gms.resorces", "datahub-gms.resources")
    ]
    # kube-prometheus-stack's grafana dependency is mirrored as a chart of its own.
    kps = load_chart("kube-prometheus-stack", "88.5.3", mirror, tmp_path)
    assert unknown_keys({"grafana": {"adminPasword": "x"}}, kps.defaults, kps.name)[0][0] == "grafana.adminPasword"


def test_version_missing_from_mirror_and_cache_is_a_finding(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / ".argocd" / "apps" / "values.yaml", "version: v1.21.1", "version: v1.99.0")
    found = errors_of(gate("dev"), "values")
    assert len(found) == 1, messages(found)
    assert "cert-manager v1.99.0 is in neither the chart cache nor the mirror (mirrored: v1.21.1)" in found[0].message


def test_chart_the_mirror_lacks_is_named_once_not_per_env(gate: GateRunner, mirror: Path, tmp_path: Path) -> None:
    reports = [gate("dev"), gate("prod")]
    assert not [f for r in reports for f in r.findings if f.gate == "values" and f.severity == "warning"]
    coverage = coverage_finding([r.rendered for r in reports], mirror, tmp_path / "no-chart-cache")
    assert coverage is not None and coverage.severity == "warning" and coverage.env == ""
    assert coverage.message.endswith("not checked at all (not in the mirror either): dagster 1.13.27")


def test_malformed_value_file_names_the_file(gate: GateRunner, fixture_repo: Path) -> None:
    (fixture_repo / "platform" / "cert-manager" / "values-dev.yaml").write_text("replicaCount: [1\n")
    found = errors_of(gate("dev"), "values")
    assert found and found[0].file == "$values/platform/cert-manager/values-dev.yaml", messages(found)
    assert "values-dev.yaml:2:1: malformed YAML" in found[0].message
    assert "\n" not in found[0].message  # one line


def test_prod_upstream_image_tags_must_be_immutable(gate: GateRunner, fixture_repo: Path) -> None:
    (fixture_repo / "platform" / "cert-manager" / "values-prod.yaml").write_text(
        "replicaCount: 2\nimage:\n  tag: latest\nwebhook:\n  image:\n    tag: v1.21.1\n"
    )
    found = errors_of(gate("prod"), "values")
    assert len(found) == 1, messages(found)
    assert (
        found[0].message
        == "`image.tag`: tag 'latest' is not an exact X.Y.Z version nor a sha256 digest (tags can move)"
    )
    assert found[0].file == "$values/platform/cert-manager/values-prod.yaml"


def test_map_given_where_the_chart_has_a_scalar(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / "platform" / "kube-prometheus-stack" / "values.yaml", "retention: 10d", "retention: {days: 10}")
    found = errors_of(gate("dev"), "values")
    assert len(found) == 1, messages(found)
    assert found[0].message.startswith("`prometheus.prometheusSpec.retention` must be a str, not a map")


def test_inline_application_values_are_rendered_and_checked(gate: GateRunner, fixture_repo: Path) -> None:
    add_inline_values(fixture_repo, "{replicas: 4, replicaCont: 2}")
    report = gate("dev")
    web = report.rendered.application("web")
    assert next(o for o in web.objects if o["kind"] == "Deployment")["spec"]["replicas"] == 4
    found = [f for f in errors_of(report, "values") if f.application == "cert-manager"]
    assert any("unknown key `replicaCont`" in f.message and f.file == "(Application helm.values)" for f in found), (
        messages(found)
    )


def test_in_repo_chart_override_keys_are_checked_too(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / "platform" / "web" / "values-dev.yaml", "replicas: 1", "replicaz: 1")
    found = errors_of(gate("dev"), "values")
    assert len(found) == 1 and found[0].application == "web", messages(found)
    assert found[0].message == "unknown key `replicaz` for chart platform/web (not in its values.yaml)"
    assert found[0].fix == "did you mean `replicas`?" and found[0].file == "$values/platform/web/values-dev.yaml"


def test_map_the_schema_leaves_open_takes_any_key() -> None:
    schema = {
        "type": "object",
        "properties": {
            "secrets": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "properties": {"data": {"type": "object", "additionalProperties": {"type": "string"}}},
                },
            }
        },
    }
    defaults = {"secrets": {"grafana": {"data": {"user": "kv-user"}}}}
    open_map = {"secrets": {"grafana": {"data": {"password": "kv-password"}}}}
    assert unknown_keys(open_map, defaults, "chart", schema) == []
    closed = {"secrets": {"grafana": {"dta": {}}}}
    assert unknown_keys(closed, defaults, "chart", schema) == [("secrets.grafana.dta", "secrets.grafana.data")]


def test_key_of_an_unmirrored_subchart_is_a_warning(gate: GateRunner, fixture_repo: Path) -> None:
    values = fixture_repo / "platform" / "kube-prometheus-stack" / "values-dev.yaml"
    values.write_text(
        "alertmanager: {enabled: false}\n"
        "kube-state-metrics:\n  metricLabelsAllowlist: ['pods=[app]']\n"  # mirrored subchart: checked, valid
        "prometheus-windows-exporter:\n  priorityClassName: low\n"  # not mirrored: a warning, never a pass
    )
    report = gate("dev")
    assert not errors_of(report, "values"), messages(report.findings)
    warnings = [f for f in report.findings if f.severity == "warning" and f.application == "kube-prometheus-stack"]
    assert len(warnings) == 1, messages(warnings)
    assert "`prometheus-windows-exporter.priorityClassName`" in warnings[0].message
    assert "subchart prometheus-windows-exporter" in warnings[0].message
    assert "not verifiable offline" in warnings[0].message


def test_key_of_a_mirrored_subchart_is_checked(gate: GateRunner, fixture_repo: Path) -> None:
    values = fixture_repo / "platform" / "kube-prometheus-stack" / "values-dev.yaml"
    values.write_text("kube-state-metrics:\n  metricLabelsAlowlist: ['pods=[app]']\n")
    found = errors_of(gate("dev"), "values")
    assert len(found) == 1 and "kube-state-metrics.metricLabelsAlowlist" in found[0].message, messages(found)


def test_a_key_the_templates_read_but_the_defaults_omit_is_known_only_when_listed(mirror: Path, tmp_path: Path) -> None:
    """datahub 1.1.0 reads datahub-frontend.existingGmsSecret (documented in comments only)."""
    chart = load_chart("datahub", "1.1.0", mirror, tmp_path)
    assert chart is not None
    listed = {"datahub-frontend": {"existingGmsSecret": {"name": "s", "key": "k"}}}
    assert unknown_keys(listed, chart.defaults, chart.name) == []
    unlisted = {"datahub-frontend": {"existingGmsSecrets": {"name": "s"}}}
    assert [key for key, _ in unknown_keys(unlisted, chart.defaults, chart.name)] == [
        "datahub-frontend.existingGmsSecrets"
    ]
