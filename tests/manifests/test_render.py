"""Rendering: the app-of-apps chart and in-repo charts through the real helm, cached on disk."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from platformctl.errors import PlatformError
from platformctl.render import render_environment
from platformctl.tools import find_tool

from .conftest import GateRunner, edit, errors_of, messages

pytestmark = pytest.mark.slow


def test_fixture_is_clean(gate: GateRunner) -> None:
    for env in ("dev", "prod"):
        report = gate(env)
        assert report.clean, messages(report.findings)
        # Only the lock's unknown digests warn (dagster, not mirrored, is named by validate's coverage line).
        warnings = [f for f in report.findings if f.severity == "warning"]
        assert [(w.gate, w.name) for w in warnings] == [
            ("charts", "dagster@1.13.27"),
            ("charts", "kube-prometheus-stack@88.5.3"),
        ], messages(warnings)


def test_render_writes_the_contract_layout(
    fixture_repo: Path, render_cache: Path, mirror: Path, tmp_path: Path
) -> None:
    out = tmp_path / "rendered"
    rendered = render_environment("dev", out, root=fixture_repo, mirror=mirror, render_cache=render_cache)
    assert (out / "_root" / "applications.yaml").is_file()
    web = rendered.application("web")
    assert web is not None and web.rendered and web.source == "in-repo"
    assert web.manifest_file == out / "web" / "manifest.yaml"
    kinds = sorted(obj["kind"] for obj in yaml.safe_load_all(web.manifest_file.read_text()) if obj)
    assert kinds == ["Deployment", "Service", "ServiceMonitor"]
    assert (web.name, web.project, web.wave, web.namespace) == ("web", "apps", 1, "web")
    upstream = rendered.application("cert-manager")
    assert upstream is not None
    assert (upstream.source, upstream.chart, upstream.version, upstream.rendered) == (
        "upstream",
        "cert-manager",
        "v1.21.1",
        False,
    )
    assert upstream.objects == [] and upstream.manifest_file is None
    assert sorted(rendered.projects) == ["apps", "platform"]


def test_unchanged_application_comes_from_the_cache(fixture_repo: Path, mirror: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = render_environment("dev", tmp_path / "a", root=fixture_repo, mirror=mirror, render_cache=cache)
    second = render_environment("dev", tmp_path / "b", root=fixture_repo, mirror=mirror, render_cache=cache)
    assert not first.application("web").from_cache
    assert second.application("web").from_cache
    edit(fixture_repo / "platform" / "web" / "values-dev.yaml", "replicas: 1", "replicas: 3")
    third = render_environment("dev", tmp_path / "c", root=fixture_repo, mirror=mirror, render_cache=cache)
    web = third.application("web")
    assert not web.from_cache
    assert next(o for o in web.objects if o["kind"] == "Deployment")["spec"]["replicas"] == 3


def test_cached_upstream_archive_is_rendered_and_values_checked(
    gate: GateRunner, fixture_repo: Path, tmp_path: Path
) -> None:
    # A real chart archive named like the upstream chart, built with the real `helm package`.
    source = tmp_path / "dagster-chart"
    (source / "templates").mkdir(parents=True)
    (source / "Chart.yaml").write_text("apiVersion: v2\nname: dagster\nversion: 1.13.27\n")
    (source / "values.yaml").write_text("dagsterWebserver:\n  replicaCount: 1\n")
    (source / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dagster\n"
        "data:\n  replicas: {{ .Values.dagsterWebserver.replicaCount | quote }}\n"
    )
    charts = tmp_path / "charts"
    subprocess.run([find_tool("helm"), "package", source, "-d", charts], check=True, capture_output=True)
    edit(fixture_repo / "platform" / "dagster" / "values.yaml", "replicaCount", "replicaCnt")
    report = gate("dev", charts=charts)
    dagster = report.rendered.application("dagster")
    assert dagster.rendered and [o["kind"] for o in dagster.objects] == ["ConfigMap"]
    found = errors_of(report, "values")
    assert any("unknown key `dagsterWebserver.replicaCnt`" in f.message for f in found), messages(found)
    assert "did you mean `dagsterWebserver.replicaCount`" in found[0].fix


def test_helm_template_error_is_a_finding_naming_the_chart(gate: GateRunner, fixture_repo: Path) -> None:
    edit(fixture_repo / "platform" / "web" / "templates" / "workload.yaml", "{{ .Values.replicas }}", "{{ .Values.")
    report = gate("dev")
    found = errors_of(report, "render")
    assert len(found) == 1 and found[0].application == "web", messages(report.findings)
    assert "helm template" in found[0].message and "platform/web" in found[0].file


def test_malformed_platform_yaml_is_a_finding_not_a_traceback(gate: GateRunner, fixture_repo: Path) -> None:
    (fixture_repo / "clusters" / "dev" / "platform.yaml").write_text("environment: [dev\n")
    report = gate("dev")
    found = errors_of(report, "render")
    assert found and "clusters/dev/platform.yaml" in found[0].file + found[0].message, messages(report.findings)


def test_malformed_rendered_yaml_is_a_finding(gate: GateRunner, fixture_repo: Path) -> None:
    template = fixture_repo / "platform" / "web" / "templates" / "broken.yaml"
    template.write_text("kind: ConfigMap\nmetadata: {name: [x\n")
    report = gate("dev")
    found = errors_of(report, "render")
    assert found and found[0].application == "web", messages(report.findings)


def test_render_never_deletes_a_folder_it_did_not_write(fixture_repo: Path, mirror: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(PlatformError, match="refusing to replace it"):
        render_environment("dev", precious, root=fixture_repo, mirror=mirror, render_cache=tmp_path / "c")
    assert (precious / "notes.txt").read_text() == "keep me"
    out = tmp_path / "out"
    render_environment("dev", out, root=fixture_repo, mirror=mirror, render_cache=tmp_path / "c")
    render_environment("dev", out, root=fixture_repo, mirror=mirror, render_cache=tmp_path / "c")  # replaces its own
    assert (out / "web" / "manifest.yaml").is_file()


def test_helm_schema_error_details_are_on_the_finding_line(gate: GateRunner, fixture_repo: Path) -> None:
    schema = '{"type": "object", "properties": {"replicas": {"type": "integer"}}}'
    (fixture_repo / "platform" / "web" / "values.schema.json").write_text(schema)
    edit(fixture_repo / "platform" / "web" / "values-dev.yaml", "replicas: 1", "replicas: one")
    found = errors_of(gate("dev"), "render")
    assert len(found) == 1 and "\n" not in found[0].message, messages(found)
    assert "replicas: Invalid type. Expected: integer, given: string" in found[0].message
