"""datahub-prerequisites 0.3.0 with platform/datahub-prerequisites values (docs/bootstrap-decisions.md#2, #9)."""

from __future__ import annotations

from typing import Any

FIXTURE = "datahub-prerequisites"
COMPONENT = "datahub-prerequisites"


def test_mysql_and_opensearch_pods_are_admitted(render: Any, pod_specs: Any, rejections: Any, env: str) -> None:
    objects = render(FIXTURE, COMPONENT, env)
    pods = dict(pod_specs(objects))
    assert set(pods) == {"StatefulSet/prerequisites-mysql", "StatefulSet/opensearch-cluster-master"}
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
