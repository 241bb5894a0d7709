"""The sync gate inside `run_gates` (timed, last, fed by the others) and in the tree of `platformctl graph`."""

from __future__ import annotations

from pathlib import Path

import pytest

from platformctl.app_graph import to_dot, tree_text

from .conftest import GateRunner, add_web_objects, edit, errors_of, messages

APPS_VALUES = Path(".argocd") / "apps" / "values.yaml"

pytestmark = pytest.mark.slow


def test_fixture_repository_syncs_without_a_stall(gate: GateRunner) -> None:
    report = gate("dev")
    assert "sync" in report.timings and list(report.timings)[-1] == "sync"
    assert errors_of(report, "sync") == [] and report.sync is not None and report.sync.stall is None
    assert tree_text(report.rendered, None).endswith(
        "sync: no wave stalls (not simulated, chart not rendered: cert-manager, dagster, kube-prometheus-stack)"
    )


def test_unbindable_claim_is_one_finding_and_marks_the_stalled_wave(gate: GateRunner, fixture_repo: Path) -> None:
    claim = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "cache"},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": "ultra-ssd",
            "resources": {"requests": {"storage": "1Gi"}},
        },
    }
    add_web_objects(fixture_repo, claim)
    report = gate("dev")
    assert errors_of(report, "sync") == [], "the references gate owns the root cause"
    found = errors_of(report, "references")
    assert len(found) == 1, messages(found)
    assert (found[0].application, found[0].kind, found[0].name) == ("web", "PersistentVolumeClaim", "cache")
    assert report.sync is not None and report.sync.stall is not None and report.sync.stall.wave == 1
    text = tree_text(report.rendered, report.sync.stall)
    assert "web  -> ns web: platform/web (in-repo)  after: kube-prometheus-stack  [STALLS]" in text
    assert text.splitlines()[-1].startswith(
        "sync STALLS at wave 1: web cannot become Healthy: PersistentVolumeClaim/cache"
    )
    dot = to_dot(report.rendered, report.sync.stall).source
    assert "wave 1: STALLS" in dot and "#ffe0e0" in dot


@pytest.mark.parametrize(
    ("wave", "severity", "text"),
    [
        ("-2", "error", "its CRD is created only by kube-prometheus-stack (wave -1)"),
        # The fixture's Applications have no syncPolicy.retry: nothing heals the race.
        ("-1", "error", "while kube-prometheus-stack creates its CRD in the same wave"),
    ],
)
def test_custom_resource_before_its_crd_provider(
    gate: GateRunner, fixture_repo: Path, wave: str, severity: str, text: str
) -> None:
    """web's ServiceMonitor against kube-prometheus-stack (wave -1; not cached: assumed to render its CRDs)."""
    edit(fixture_repo / APPS_VALUES, "    wave: 1\n    path: platform/web", f"    wave: {wave}\n    path: platform/web")
    edit(fixture_repo / APPS_VALUES, "dependsOn: [kube-prometheus-stack]", "dependsOn: []")
    report = gate("dev")
    assert errors_of(report, "graph") == [], messages(errors_of(report, "graph"))
    found = [f for f in report.findings if f.gate == "sync" and f.application == "web"]
    assert [(f.severity, f.kind) for f in found] == [(severity, "ServiceMonitor")], messages(found)
    assert text in found[0].message
