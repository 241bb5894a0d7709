"""kube-prometheus-stack 88.5.3 with platform/kube-prometheus-stack values (docs/bootstrap-decisions.md#1, #2)."""

from __future__ import annotations

from typing import Any

import pytest

from platformctl.environments import get_environment

FIXTURE = "kube-prometheus-stack"
COMPONENT = "kube-prometheus-stack"


def webhooks(objects: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    kinds = {"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"}
    return [hook for obj in objects if obj["kind"] in kinds for hook in obj["webhooks"]]


def patch_policy(objects: tuple[dict[str, Any], ...]) -> str:
    (job,) = (obj for obj in objects if obj["kind"] == "Job" and obj["metadata"]["name"].endswith("-admission-patch"))
    (container,) = job["spec"]["template"]["spec"]["containers"]
    (arg,) = (a for a in container["args"] if a.startswith("--patch-failure-policy="))
    return arg.partition("=")[2]


def test_webhooks_ignore_until_the_patch_job_injects_the_ca(render: Any, env: str) -> None:
    """Fail would reject the chart's PrometheusRules in the Sync phase, before the PostSync patch Job."""
    objects = render(FIXTURE, COMPONENT, env)
    hooks = webhooks(objects)
    assert len(hooks) == 2
    for hook in hooks:
        assert hook["failurePolicy"] == "Ignore", hook["name"]
        assert "caBundle" not in hook["clientConfig"]  # written by the patch Job only
    assert patch_policy(objects) == "", "the patch Job must inject the CA only, never switch to Fail"


@pytest.mark.parametrize(
    ("failure_policy", "webhook", "job"),
    [("Fail", "Fail", "Fail"), ("IgnoreOnInstallOnly", "Ignore", "Ignore")],
)
def test_fixture_reproduces_the_chart_policies(render: Any, failure_policy: str, webhook: str, job: str) -> None:
    """What the other settings do: Fail from the first sync; IgnoreOnInstallOnly is Ignore under `helm template`."""
    override = f"prometheusOperator: {{admissionWebhooks: {{failurePolicy: {failure_policy}}}}}\n"
    objects = render(FIXTURE, COMPONENT, "dev", override)
    assert {hook["failurePolicy"] for hook in webhooks(objects)} == {webhook}
    assert patch_policy(objects) == job


def test_no_host_level_node_exporter_where_managed_prometheus_collects_nodes(render: Any, env: str) -> None:
    objects = render(FIXTURE, COMPONENT, env)
    assert not [obj for obj in objects if obj["kind"] == "DaemonSet"]
    assert get_environment(env).cluster["spec"]["monitoring"]["managedPrometheus"] is True


def test_no_rule_or_dashboard_reads_node_exporter_series(render: Any, env: str) -> None:
    """Alerts and dashboards on series nobody collects would stay silent: they are not deployed."""
    objects = render(FIXTURE, COMPONENT, env)
    readers = {
        f"{obj['kind']}/{obj['metadata']['name']}"
        for obj in objects
        if (obj["metadata"].get("annotations") or {}).get("fixture.platform.example/reads-job") == "node-exporter"
    }
    assert readers == set()
    assert any(obj["kind"] == "PrometheusRule" for obj in objects)  # the other default rules stay


def test_fixture_deploys_node_exporter_rules_and_dashboards_with_the_chart_defaults(render: Any) -> None:
    objects = render(FIXTURE, COMPONENT, "dev", "nodeExporter: {enabled: true}\ndefaultRules: {rules: {node: true}}\n")
    kinds = {obj["kind"] for obj in objects if "node" in obj["metadata"]["name"]}
    assert kinds == {"DaemonSet", "PrometheusRule", "ConfigMap"}


def test_prometheus_startup_duration_is_valid_for_the_crd(render: Any, env: str) -> None:
    """The CRD wants >= 60 when the field is present; the chart writes 0 with helm 3.18.0."""
    (prometheus,) = (obj for obj in render(FIXTURE, COMPONENT, env) if obj["kind"] == "Prometheus")
    assert prometheus["spec"].get("maximumStartupDurationSeconds", 60) >= 60
