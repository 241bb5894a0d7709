"""grafana 12.11.1 with platform/grafana values (docs/bootstrap-decisions.md#4)."""

from __future__ import annotations

from typing import Any

FIXTURE = "grafana"
COMPONENT = "grafana"


def deployment(objects: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    (found,) = (obj for obj in objects if obj["kind"] == "Deployment")
    return found


def test_every_grafana_container_is_admitted(render: Any, env: str, rejections: Any) -> None:
    objects = render(FIXTURE, COMPONENT, env)
    pod = deployment(objects)["spec"]["template"]["spec"]
    assert "initContainers" not in pod
    assert rejections(objects, env, "monitoring") == {}
    assert pod["securityContext"]["fsGroup"] == 472  # the kubelet hands the volume to grafana's group


def test_a_readwriteonce_disk_is_replaced_not_rolled(render: Any, env: str) -> None:
    """RollingUpdate would start the new pod while the old one holds the disk (Multi-Attach)."""
    objects = render(FIXTURE, COMPONENT, env)
    claims = [obj for obj in objects if obj["kind"] == "PersistentVolumeClaim"]
    strategy = deployment(objects)["spec"].get("strategy", {}).get("type")
    if any("ReadWriteOnce" in claim["spec"]["accessModes"] for claim in claims):
        assert strategy == "Recreate"
    else:
        assert env == "prod" and strategy == "RollingUpdate"  # prod: no disk, PostgreSQL, two replicas


def test_fixture_adds_the_root_chown_container_with_the_chart_default(render: Any, rejections: Any) -> None:
    objects = render(FIXTURE, COMPONENT, "dev", "initChownData: {enabled: true}\n")
    pod = deployment(objects)["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["initContainers"]] == ["init-chown-data"]
    problems = " | ".join(rejections(objects, "dev", "monitoring")["Deployment/grafana"])
    assert 'container "init-chown-data": securityContext.runAsUser=0' in problems
