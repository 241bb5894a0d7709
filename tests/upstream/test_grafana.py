"""grafana 12.11.1 with platform/grafana values (docs/bootstrap-decisions.md#4)."""

from __future__ import annotations

from typing import Any

FIXTURE = "grafana"
COMPONENT = "grafana"


def deployment(objects: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    (found,) = (obj for obj in objects if obj["kind"] == "Deployment")
    return found


def test_every_grafana_container_is_restricted(render: Any, env: str, restricted_problems: Any) -> None:
    pod = deployment(render(FIXTURE, COMPONENT, env))["spec"]["template"]["spec"]
    assert "initContainers" not in pod
    assert restricted_problems(pod) == []
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


def test_fixture_adds_the_root_chown_container_with_the_chart_default(render: Any, restricted_problems: Any) -> None:
    pod = deployment(render(FIXTURE, COMPONENT, "dev", "initChownData: {enabled: true}\n"))["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["initContainers"]] == ["init-chown-data"]
    assert "container init-chown-data: runAsUser != 0" in restricted_problems(pod)
