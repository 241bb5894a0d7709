"""The sync gate on fixture charts rendered by real helm: each seeded failure yields exactly its finding."""

from __future__ import annotations

import pytest

from platformctl.findings import Finding
from platformctl.syncsim import check_environment

from .conftest import EnvRenderer, FixtureApp

pytestmark = pytest.mark.slow


def run(env, prior: list[Finding] | None = None, **options: object):
    return check_environment(env.rendered, env.crds, prior or [], **options)


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def lines(findings: list[Finding]) -> str:
    return "\n".join(f.one_line() for f in findings)


def operator_stack(**values: object) -> list[FixtureApp]:
    """kube-prometheus-stack's webhook in wave -4, a data app in wave 2 (what the webhook would hold back)."""
    return [
        FixtureApp("kube-prometheus-stack", "webhook-patch", -4, "monitoring", values),
        FixtureApp("exposition-api", "workload", 2, "data-apps"),
    ]


def test_fail_webhook_patched_by_a_post_sync_job_deadlocks_its_own_sync(render_env: EnvRenderer) -> None:
    outcome = run(render_env(*operator_stack(failurePolicy="Fail")))
    found = errors(outcome.findings)
    assert len(found) == 1, lines(outcome.findings)
    finding = found[0]
    assert (finding.gate, finding.application) == ("sync", "kube-prometheus-stack")
    assert (finding.kind, finding.name) == ("ValidatingWebhookConfiguration", "kube-prometheus-stack-admission")
    assert (
        "rejects 3 object(s)" in finding.message and "PrometheusRule/kube-prometheus-stack-rules-0" in finding.message
    )
    assert "PostSync hook Job/kube-prometheus-stack-admission-patch" in finding.message
    assert "failurePolicy to Ignore" in finding.fix
    # The consequence is one summary: wave -4 stalls, the data app never syncs.
    assert outcome.stall is not None and outcome.stall.wave == -4
    summary = [f for f in outcome.findings if f.application == "_root"]
    assert len(summary) == 1 and summary[0].severity == "warning", lines(outcome.findings)
    assert "stalls at wave -4" in summary[0].message and "exposition-api" in summary[0].message


@pytest.mark.parametrize(
    "values",
    [
        {"failurePolicy": "Ignore"},
        {"failurePolicy": ""},  # the chart's default while the patch Job is enabled: Ignore
    ],
)
def test_webhook_that_ignores_failures_is_clean(render_env: EnvRenderer, values: dict) -> None:
    outcome = run(render_env(*operator_stack(**values)))
    assert outcome.findings == [] and outcome.stall is None, lines(outcome.findings)


CA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"


def test_fail_webhook_whose_pods_are_not_ready_yet_is_healed_by_retry(render_env: EnvRenderer) -> None:
    """Trusted up front (caBundle), it still rejects the rules applied right after it while the operator's
    pods start: the first attempt fails and a retry heals it (a warning); without retry it is an error."""
    outcome = run(render_env(*operator_stack(failurePolicy="Fail", caBundle=CA)))
    assert [f.severity for f in outcome.findings] == ["warning"], lines(outcome.findings)
    assert "Deployment/kube-prometheus-stack-operator behind Service" in outcome.findings[0].message
    assert "syncPolicy.retry (limit 5)" in outcome.findings[0].message
    assert outcome.stall is None
    forever = operator_stack(failurePolicy="Fail", caBundle=CA)
    forever[0].retry_limit = -1  # Argo CD: a negative limit retries without end (the platform's setting)
    outcome = run(render_env(*forever))
    assert [f.severity for f in outcome.findings] == ["warning"], lines(outcome.findings)
    assert "syncPolicy.retry (limit unlimited)" in outcome.findings[0].message
    no_retry = operator_stack(failurePolicy="Fail", caBundle=CA)
    no_retry[0].retry_limit = 0
    outcome = run(render_env(*no_retry))
    assert [(f.severity, f.application) for f in outcome.findings] == [
        ("error", "kube-prometheus-stack"),
        ("warning", "_root"),
    ], lines(outcome.findings)


def test_webhook_behind_rejected_pods_is_not_a_second_root_cause(render_env: EnvRenderer) -> None:
    rejected = Finding(
        "admission",
        "dev",
        "kube-prometheus-stack",
        "Deployment",
        "kube-prometheus-stack-operator",
        "",
        "container operator: runAsNonRoot must be true (restricted)",
        "set it",
    )
    outcome = run(render_env(*operator_stack(failurePolicy="Fail", caBundle=CA)), [rejected])
    assert [f.application for f in outcome.findings] == ["_root"], lines(outcome.findings)
    assert "Deployment/kube-prometheus-stack-operator has its pods rejected at admission" in outcome.findings[0].message


def test_fail_webhook_applied_after_the_objects_it_checks_is_clean(render_env: EnvRenderer) -> None:
    env = render_env(*operator_stack(failurePolicy="Fail", caBundle=CA))
    for obj in env.rendered.applications[0].objects:
        if obj["kind"] == "ValidatingWebhookConfiguration":
            obj["metadata"]["annotations"] = {"argocd.argoproj.io/sync-wave": "1"}
    outcome = run(env)
    assert outcome.findings == [], lines(outcome.findings)


def test_custom_resource_before_its_crd_in_a_later_wave(render_env: EnvRenderer) -> None:
    outcome = run(render_env(FixtureApp("widgets", "crd-user", 1), FixtureApp("widget-crds", "crd-provider", 2)))
    found = errors(outcome.findings)
    assert len(found) == 1, lines(outcome.findings)
    assert (found[0].application, found[0].kind, found[0].name) == ("widgets", "Widget", "widgets")
    assert "its CRD is created only by widget-crds (wave 2)" in found[0].message
    assert outcome.stall is not None and outcome.stall.wave == 1


def test_custom_resource_and_crd_in_the_same_wave_need_skip_dry_run(render_env: EnvRenderer) -> None:
    provider = FixtureApp("widget-crds", "crd-provider", 1)
    racing = run(render_env(FixtureApp("widgets", "crd-user", 1), provider))
    assert [(f.severity, f.kind) for f in racing.findings] == [("warning", "Widget")], lines(racing.findings)
    assert "SkipDryRunOnMissingResource=true" in racing.findings[0].fix
    annotated = FixtureApp("widgets", "crd-user", 1, values={"skipDryRunOnMissingResource": True})
    assert run(render_env(annotated, provider)).findings == []
    no_retry = run(render_env(FixtureApp("widgets", "crd-user", 1, retry_limit=0), provider))
    assert [f.severity for f in no_retry.findings] == ["error", "warning"], lines(no_retry.findings)  # + the stall
    earlier = FixtureApp("widget-crds", "crd-provider", 0)
    assert run(render_env(FixtureApp("widgets", "crd-user", 1), earlier)).findings == []


def test_custom_resource_whose_crd_nothing_renders(render_env: EnvRenderer) -> None:
    """kube-prometheus-stack rendered without its CRDs (crds.enabled: false): a ServiceMonitor of a later wave
    passes the graph gate (its group's provider is earlier) but no wave ever creates the CRD."""
    monitor = {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor"}
    env = render_env(
        FixtureApp("kube-prometheus-stack", "workload", -4, "monitoring"),
        FixtureApp("web", "crd-user", 1, values=monitor),
    )
    found = errors(run(env).findings)
    assert len(found) == 1, lines(found)
    assert (found[0].kind, found[0].name) == ("ServiceMonitor", "web")
    assert "no Application of env dev renders its CRD" in found[0].message


def test_storage_classes_from_the_references_gate(render_env: EnvRenderer) -> None:
    """Once the references gate resolves storageClassName, its finding is the root cause, not repeated here."""
    env = render_env(
        FixtureApp("grafana", "workload", -1, values={"storageClassName": "premium-ssd"}),
        FixtureApp("dagster", "workload", 1),
    )
    reference = Finding(
        "references",
        "dev",
        "grafana",
        "PersistentVolumeClaim",
        "grafana-data",
        "",
        "spec.storageClassName premium-ssd resolves to no StorageClass",
        "use managed-csi",
    )
    outcome = run(env, [reference])
    assert [f.application for f in outcome.findings] == ["_root"], lines(outcome.findings)
    assert (
        "grafana cannot become Healthy: PersistentVolumeClaim/grafana-data has a volume claim that can never bind"
        in outcome.findings[0].message
    )


def test_ingress_whose_controller_comes_in_a_later_wave(render_env: EnvRenderer) -> None:
    env = render_env(
        FixtureApp("argo-cd", "workload", -1, values={"ingressClassName": "traefik"}),
        FixtureApp("ingress", "workload", 0, values={"ingressClass": "traefik"}),
    )
    found = errors(run(env).findings)
    assert len(found) == 1, lines(found)
    assert (found[0].application, found[0].kind) == ("argo-cd", "Ingress")
    assert "comes with ingress in the later wave 0" in found[0].message
    env = render_env(
        FixtureApp("argo-cd", "workload", 1, values={"ingressClassName": "traefik"}),
        FixtureApp("ingress", "workload", 0, values={"ingressClass": "traefik"}),
    )
    assert run(env).findings == []


def test_fail_webhook_whose_service_selects_no_pods_never_serves(render_env: EnvRenderer) -> None:
    env = render_env(*operator_stack(failurePolicy="Fail", caBundle=CA))
    for obj in env.rendered.applications[0].objects:
        if obj["kind"] == "Service":
            obj["spec"]["selector"] = {"app": "prometheus-operator"}  # a typo: the pods are labelled otherwise
    found = errors(run(env).findings)
    assert len(found) == 1, lines(found)
    assert "because Service kube-prometheus-stack-operator selects no pods of this sync" in found[0].message


def test_webhook_skips_namespaces_its_selector_excludes(render_env: EnvRenderer) -> None:
    env = render_env(*operator_stack(failurePolicy="Fail"))
    for obj in env.rendered.applications[0].objects:
        if obj["kind"] == "ValidatingWebhookConfiguration":
            obj["webhooks"][0]["namespaceSelector"] = {
                "matchExpressions": [
                    {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["monitoring"]}
                ]
            }
    assert run(env).findings == []


def test_webhook_behind_a_service_the_references_gate_rejects(render_env: EnvRenderer) -> None:
    """A Deployment behind a Service without endpoints is Healthy by Argo CD's rules; a Fail webhook behind that
    Service is not: it rejects the rules of its own sync. The references finding stays the one root cause."""
    selector = Finding(
        "references",
        "dev",
        "kube-prometheus-stack",
        "Service",
        "kube-prometheus-stack-operator",
        "",
        "selector app=prometheus-operator matches no pod",
        "fix the selector",
    )
    outcome = run(render_env(*operator_stack(failurePolicy="Fail", caBundle=CA)), [selector])
    assert [f.application for f in outcome.findings] == ["_root"], lines(outcome.findings)
    message = outcome.findings[0].message
    webhook = "ValidatingWebhookConfiguration/kube-prometheus-stack-admission"
    assert f"kube-prometheus-stack cannot become Healthy: {webhook} rejects 3 object(s)" in message
    assert "see the references finding" in message
    # Without the webhook, the same references finding stalls nothing.
    outcome = run(
        render_env(FixtureApp("exposition-api", "workload", 2, "data-apps")),
        [
            Finding(
                "references", "dev", "exposition-api", "Service", "exposition-api", "", "selector matches no pod", "fix"
            ),
        ],
    )
    assert outcome.findings == [] and outcome.stall is None
