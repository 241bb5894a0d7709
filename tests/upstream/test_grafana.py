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


def test_grafana_and_its_sidecars_run_on_a_read_only_root_filesystem(render: Any, env: str) -> None:
    """CKV_K8S_22: Grafana writes its data dir (the `storage` volume), its log dir and /tmp only."""
    pod = deployment(render(FIXTURE, COMPONENT, env))["spec"]["template"]["spec"]
    assert {c["name"]: c["securityContext"].get("readOnlyRootFilesystem") for c in pod["containers"]} == {
        "grafana-sc-dashboard": True,
        "grafana-sc-datasources": True,
        "grafana": True,
    }
    (grafana,) = (c for c in pod["containers"] if c["name"] == "grafana")
    writable = {
        volume["name"] for volume in pod["volumes"] if "emptyDir" in volume or "persistentVolumeClaim" in volume
    }
    mounted = {m["mountPath"] for m in grafana["volumeMounts"] if m["name"] in writable}
    assert mounted == {"/var/lib/grafana", "/var/log/grafana", "/tmp"}
