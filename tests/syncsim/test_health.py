"""The root's wave simulation on synthesised findings (no helm): root causes once, consequences summarised."""

from __future__ import annotations

from pathlib import Path

from platformctl.crds import CrdCatalogue
from platformctl.findings import Finding
from platformctl.render import RenderedApplication, RenderedEnvironment
from platformctl.syncsim import check_environment
from platformctl.syncsim.health import blockers_from_findings


def deployment(name: str) -> dict:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}}},
    }


def env(tmp_path: Path, *apps: tuple[str, int]) -> RenderedEnvironment:
    applications = [
        RenderedApplication(name, "platform", wave, name, "in-repo", "chart", "main", [deployment(name)], rendered=True)
        for name, wave in apps
    ]
    return RenderedEnvironment("dev", "1.34", [], applications, {}, [], tmp_path)


def rejected(application: str, name: str, severity: str = "error") -> Finding:
    return Finding(
        "admission",
        "dev",
        application,
        "Deployment",
        name,
        "",
        f"Deployment {name} container app: securityContext.seccompProfile.type must be RuntimeDefault (restricted)",
        "set it",
        severity,
    )


APPS = (("cert-manager", -3), ("ingress", -2), ("grafana", -1), ("argo-cd", -1), ("datahub", 1))


def test_rejected_pods_stall_their_wave_and_everything_after(tmp_path: Path, mirror: Path) -> None:
    prior = [rejected("grafana", "grafana"), rejected("datahub", "datahub")]
    outcome = check_environment(env(tmp_path, *APPS), CrdCatalogue(mirror), prior)
    # The admission findings are the root causes (not repeated); one summary of the consequences.
    assert len(outcome.findings) == 1
    summary = outcome.findings[0]
    assert (summary.gate, summary.application, summary.severity) == ("sync", "_root", "warning")
    assert (
        "stalls at wave -1: grafana cannot become Healthy: Deployment/grafana has its pods rejected at admission"
        in summary.message
    )
    assert "wave 1 never sync (1 Application(s): datahub)" in summary.message
    assert outcome.stall is not None and outcome.stall.wave == -1
    assert outcome.stall.applications == ["grafana"]
    assert outcome.stall.held_back == [(1, "datahub")]


def test_warnings_do_not_stall(tmp_path: Path, mirror: Path) -> None:
    outcome = check_environment(env(tmp_path, *APPS), CrdCatalogue(mirror), [rejected("grafana", "grafana", "warning")])
    assert outcome.findings == [] and outcome.stall is None


def test_only_findings_that_keep_an_object_unhealthy_are_blockers() -> None:
    unrelated = Finding("schema", "dev", "grafana", "Deployment", "grafana", "", "bad field", "fix")
    selector = Finding("references", "dev", "grafana", "Service", "grafana", "", "selector matches no pod", "fix")
    assert blockers_from_findings([unrelated, selector]) == []
    assert [b.key for b in blockers_from_findings([rejected("grafana", "grafana")])] == [
        ("grafana", "Deployment", "grafana")
    ]
