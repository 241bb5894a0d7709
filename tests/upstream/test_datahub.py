"""datahub 1.1.0 with platform/datahub values (docs/bootstrap-decisions.md#2, #6, #10)."""

from __future__ import annotations

from typing import Any

import pytest

from platformctl.environments import get_environment
from platformctl.errors import PlatformError

FIXTURE = "datahub"
COMPONENT = "datahub"
# Turns on every optional workload of the chart, so a disabled one cannot hide a non-restricted pod.
EVERYTHING_ON = """
global: {datahub_standalone_consumers_enabled: true}
datahub-ingestion-cron: {enabled: true}
elasticsearchSetupJob: {enabled: true}
kafkaSetupJob: {enabled: true}
mysqlSetupJob: {enabled: true}
postgresqlSetupJob: {enabled: true}
datahubUpgrade: {enabled: true}
datahubSystemCronHourly: {enabled: true}
"""


def of_kind(objects: tuple[dict[str, Any], ...], kind: str) -> dict[str, dict[str, Any]]:
    return {obj["metadata"]["name"]: obj for obj in objects if obj["kind"] == kind}


def frontend_env(objects: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    deployment = of_kind(objects, "Deployment")["datahub-datahub-frontend"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return {var["name"]: var.get("value", var.get("valueFrom")) for var in container["env"]}


@pytest.mark.parametrize("overrides", ["", EVERYTHING_ON], ids=["as-deployed", "every-optional-workload"])
def test_every_datahub_pod_is_admitted(render: Any, pod_specs: Any, rejections: Any, env: str, overrides: str) -> None:
    objects = render(FIXTURE, COMPONENT, env, overrides)
    assert len(dict(pod_specs(objects))) >= (4 if not overrides else 13)
    assert rejections(objects, env, "datahub") == {}


def test_prod_renders_two_gms_replicas(render: Any) -> None:
    """The chart fails the render on more than one GMS with managed ingestion (prod's ComparisonError)."""
    objects = render(FIXTURE, COMPONENT, "prod")
    assert of_kind(objects, "Deployment")["datahub-datahub-gms"]["spec"]["replicas"] == 2
    with pytest.raises(PlatformError, match="Managed ingestion can not be used with multiple GMS instances"):
        render(FIXTURE, COMPONENT, "prod", "global: {datahub: {managed_ingestion: {enabled: true}}}\n")


def test_frontend_and_gms_are_reached_through_the_ingress_only(render: Any, env: str) -> None:
    services = of_kind(render(FIXTURE, COMPONENT, env), "Service")
    assert {name: svc["spec"]["type"] for name, svc in services.items()} == {
        "datahub-datahub-frontend": "ClusterIP",
        "datahub-datahub-gms": "ClusterIP",
    }


def test_frontend_signs_in_with_entra_id_only(render: Any, env: str) -> None:
    variables = frontend_env(render(FIXTURE, COMPONENT, env))
    tenant = get_environment(env).cluster["spec"]["entra"]["tenantId"]
    assert variables["AUTH_OIDC_ENABLED"] == "true"
    assert variables["AUTH_OIDC_DISCOVERY_URI"].startswith(f"https://login.microsoftonline.com/{tenant}/v2.0/")
    assert variables["AUTH_OIDC_CLIENT_SECRET"] == {
        "secretKeyRef": {"name": "datahub-oidc-entra", "key": "client-secret"}
    }
    assert variables["AUTH_JAAS_ENABLED"] == "false"  # the image's datahub:datahub user file is not served
    assert variables["AUTH_NATIVE_ENABLED"] == "false"
    assert variables["AUTH_COOKIE_SECURE"] == "true"


def owned_by_an_external_secret(render: Any, env: str, reference: dict[str, str]) -> bool:
    """Whether an ExternalSecret of platform/secret-store in `datahub` provides this Secret key."""
    external_secrets = of_kind(render("platform/secret-store", "secret-store", env), "ExternalSecret")
    owner = external_secrets.get(reference["name"])
    return (
        bool(owner)
        and owner["metadata"]["namespace"] == "datahub"
        and reference["key"] in {item["secretKey"] for item in owner["spec"]["data"]}
    )


def test_the_oidc_client_secret_comes_from_key_vault(render: Any, env: str) -> None:
    """The Secret the frontend reads is the one an ExternalSecret of platform/secret-store owns."""
    reference = frontend_env(render(FIXTURE, COMPONENT, env))["AUTH_OIDC_CLIENT_SECRET"]["secretKeyRef"]
    assert owned_by_an_external_secret(render, env, reference)


def test_the_play_secret_comes_from_key_vault_not_from_a_rendered_secret(render: Any, env: str) -> None:
    """Without existingGmsSecret the chart renders a Secret with a random value on every render (CKV_PLATFORM_11,
    and Argo CD would rotate DATAHUB_SECRET on each sync)."""
    objects = render(FIXTURE, COMPONENT, env)
    assert of_kind(objects, "Secret") == {}
    assert owned_by_an_external_secret(render, env, frontend_env(objects)["DATAHUB_SECRET"]["secretKeyRef"])
    chart_default = render(FIXTURE, COMPONENT, env, "datahub-frontend: {existingGmsSecret: null}\n")
    assert list(of_kind(chart_default, "Secret")) == ["datahub-gms-secret"]


@pytest.mark.parametrize(
    ("workload", "writable"),
    [
        ("Deployment/datahub-datahub-gms", {"/tmp"}),
        ("Deployment/datahub-acryl-datahub-actions", {"/tmp", "/tmp/datahub/logs/actions"}),
        ("Job/datahub-datahub-system-update", {"/tmp"}),
    ],
)
def test_java_and_python_workloads_run_on_a_read_only_root_filesystem(
    render: Any, pod_specs: Any, env: str, workload: str, writable: set[str]
) -> None:
    """CKV_K8S_22: the root filesystem is read-only and every path the program writes is an emptyDir."""
    pod = dict(pod_specs(render(FIXTURE, COMPONENT, env)))[workload]
    (container,) = pod["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    empty_dirs = {volume["name"] for volume in pod["volumes"] if "emptyDir" in volume}
    assert {m["mountPath"] for m in container["volumeMounts"] if m["name"] in empty_dirs} == writable
