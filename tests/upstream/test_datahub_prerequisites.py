"""datahub-prerequisites 0.3.0 with platform/datahub-prerequisites values (docs/bootstrap-decisions.md#2, #9)."""

from __future__ import annotations

from typing import Any

FIXTURE = "datahub-prerequisites"
COMPONENT = "datahub-prerequisites"


def test_mysql_and_opensearch_pods_are_admitted(render: Any, pod_specs: Any, rejections: Any, env: str) -> None:
    objects = render(FIXTURE, COMPONENT, env)
    pods = dict(pod_specs(objects))
    assert set(pods) == {
        "StatefulSet/prerequisites-mysql",
        "StatefulSet/opensearch-cluster-master",
        "StatefulSet/prerequisites-kafka-controller",
    }
    assert rejections(objects, env, "datahub") == {}
    assert not pods["StatefulSet/opensearch-cluster-master"].get("initContainers")


def test_opensearch_keeps_its_settings_without_a_config_file(render: Any, env: str) -> None:
    pods = {obj["metadata"]["name"]: obj for obj in render(FIXTURE, COMPONENT, env) if obj["kind"] == "StatefulSet"}
    (container,) = pods["opensearch-cluster-master"]["spec"]["template"]["spec"]["containers"]
    assert {"name": "DISABLE_SECURITY_PLUGIN", "value": "true"} in container["env"]
    assert pods["opensearch-cluster-master"]["spec"]["template"]["spec"]["securityContext"]["fsGroup"] == 1000


def test_fixture_brings_root_and_unconfined_init_containers_with_the_chart_defaults(
    render: Any, pod_specs: Any, rejections: Any
) -> None:
    defaults = "opensearch: {persistence: {enableInitChown: true}, config: {opensearch.yml: 'x: 1'}}\n"
    objects = render(FIXTURE, COMPONENT, "dev", defaults)
    pods = dict(pod_specs(objects))
    problems = " | ".join(rejections(objects, "dev", "datahub")["StatefulSet/opensearch-cluster-master"])
    assert 'PSS_runAsUser: container "fsgroup-volume"' in problems
    assert "configfile" in problems.split("PSS_capabilities_restricted: ", 1)[1].split(" | ")[0]
    images = [c["image"] for c in pods["StatefulSet/opensearch-cluster-master"]["initContainers"]]
    assert "busybox:latest" in images


def kafka_controller(objects: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    (kafka,) = (obj for obj in objects if obj["kind"] == "StatefulSet" and "kafka" in obj["metadata"]["name"])
    return kafka


def kafka_references(objects: tuple[dict[str, Any], ...]) -> dict[str, dict[str, str]]:
    kafka = kafka_controller(objects)
    (container,) = kafka["spec"]["template"]["spec"]["containers"]
    return {var["name"]: var["valueFrom"]["secretKeyRef"] for var in container["env"]}


def test_kafka_reads_its_cluster_id_and_password_from_key_vault(render: Any, env: str) -> None:
    """Left to the chart, the KRaft cluster id and the SASL passwords are Secrets with values drawn anew on
    every render (CKV_PLATFORM_11; under Argo CD no lookup keeps them): the ExternalSecret kafka-secrets
    of platform/secret-store provides both keys instead."""
    objects = render(FIXTURE, COMPONENT, env)
    assert [obj["metadata"]["name"] for obj in objects if obj["kind"] == "Secret"] == []
    external_secrets = {
        obj["metadata"]["name"]: obj
        for obj in render("platform/secret-store", "secret-store", env)
        if obj["kind"] == "ExternalSecret"
    }
    for reference in kafka_references(objects).values():
        owner = external_secrets[reference["name"]]
        assert owner["metadata"]["namespace"] == "datahub"
        assert reference["key"] in {item["secretKey"] for item in owner["spec"]["data"]}


def test_fixture_renders_random_kafka_secrets_with_the_chart_defaults(render: Any) -> None:
    defaults = "kafka: {kraft: {existingClusterIdSecret: ''}, sasl: {existingSecret: ''}}\n"
    objects = render(FIXTURE, COMPONENT, "dev", defaults)
    secrets = sorted(obj["metadata"]["name"] for obj in objects if obj["kind"] == "Secret")
    assert secrets == ["prerequisites-kafka-kraft-cluster-id", "prerequisites-kafka-user-passwords"]


def test_prod_kafka_keeps_a_quorum_across_zones(render: Any) -> None:
    """CKV_PLATFORM_5 and 7: three controllers, at most one down at a time, spread across zones."""
    objects = render(FIXTURE, COMPONENT, "prod")
    kafka = kafka_controller(objects)
    (budget,) = (obj for obj in objects if obj["kind"] == "PodDisruptionBudget")
    assert kafka["spec"]["replicas"] == 3
    assert budget["spec"] == {"maxUnavailable": 1, "selector": kafka["spec"]["selector"]}
    (spread,) = kafka["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert spread["topologyKey"] == "topology.kubernetes.io/zone"
    assert spread["labelSelector"] == kafka["spec"]["selector"]
