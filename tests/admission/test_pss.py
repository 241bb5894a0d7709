"""Pod Security Standards checks on pod templates: each rule fails and passes, per level and version."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from platformctl.admission import pss
from platformctl.admission.namespaces import namespace_labels, pod_security
from platformctl.admission.pods import PodTemplate, pod_templates
from platformctl.admission.violations import describe

RESTRICTED_POD: dict[str, Any] = {
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [
        {"name": "app", "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}
    ],
}


def pod(
    spec: dict[str, Any] | None = None, annotations: dict[str, str] | None = None, kind: str = "Deployment"
) -> PodTemplate:
    spec = spec if spec is not None else RESTRICTED_POD
    template = {"metadata": {"annotations": annotations or {}}, "spec": spec}
    obj = {"kind": kind, "metadata": {"name": "w"}, "spec": {"template": template}}
    if kind == "CronJob":
        obj["spec"] = {"jobTemplate": {"spec": {"template": template}}}
    return next(pod_templates([obj], "ns"))


def failures(template: PodTemplate, level: str = "restricted", version: tuple[int, int] = (1, 34)) -> dict[str, str]:
    return {check.id: describe(parts) for check, run in pss.checks_for(level, version) if (parts := run(template))}


def with_container(**security: Any) -> PodTemplate:
    container = {**RESTRICTED_POD["containers"][0]}
    container["securityContext"] = {**container["securityContext"], **security}
    return pod({**RESTRICTED_POD, "containers": [container]})


def test_restricted_pod_passes_every_check() -> None:
    assert failures(pod()) == {}


@pytest.mark.parametrize(
    ("spec_update", "check_id", "text"),
    [
        ({"hostNetwork": True, "hostPID": True}, "hostNamespaces", "spec.hostNetwork=true, spec.hostPID=true"),
        (
            {"volumes": [{"name": "proc", "hostPath": {"path": "/proc"}}]},
            "restrictedVolumes",
            'volume "proc" of type hostPath',
        ),
        ({"volumes": [{"name": "nfs", "nfs": {"server": "x", "path": "/"}}]}, "restrictedVolumes", "of type nfs"),
        (
            {
                "securityContext": {
                    **RESTRICTED_POD["securityContext"],
                    "sysctls": [{"name": "kernel.msgmax", "value": "1"}],
                }
            },
            "sysctls",
            "spec.securityContext.sysctls kernel.msgmax",
        ),
        (
            {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}, "runAsUser": 0, "runAsNonRoot": True}},
            "runAsUser",
            "spec.securityContext.runAsUser=0",
        ),
        (
            {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
            "runAsNonRoot",
            "securityContext.runAsNonRoot unset (pod and container)",
        ),
        (
            {
                "securityContext": {
                    "runAsNonRoot": True,
                    "seLinuxOptions": {"type": "spc_t"},
                    "seccompProfile": {"type": "RuntimeDefault"},
                }
            },
            "seLinuxOptions",
            "spec.securityContext.seLinuxOptions.type=spc_t",
        ),
        (
            {
                "securityContext": {
                    "runAsNonRoot": True,
                    "windowsOptions": {"hostProcess": True},
                    "seccompProfile": {"type": "RuntimeDefault"},
                }
            },
            "windowsHostProcess",
            "spec.securityContext.windowsOptions.hostProcess=true",
        ),
        (
            {
                "securityContext": {
                    "runAsNonRoot": True,
                    "appArmorProfile": {"type": "Unconfined"},
                    "seccompProfile": {"type": "RuntimeDefault"},
                }
            },
            "appArmorProfile",
            "spec.securityContext.appArmorProfile.type=Unconfined",
        ),
    ],
)
def test_pod_level_fields(spec_update: dict[str, Any], check_id: str, text: str) -> None:
    found = failures(pod({**RESTRICTED_POD, **spec_update}))
    assert list(found) == [check_id] and text in found[check_id], found


@pytest.mark.parametrize(
    ("security", "check_id", "text"),
    [
        ({"privileged": True}, "privileged", "securityContext.privileged=true"),
        ({"allowPrivilegeEscalation": True}, "allowPrivilegeEscalation", "allowPrivilegeEscalation=true"),
        ({"capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}}, "capabilities_restricted", "add SYS_ADMIN"),
        ({"capabilities": {"drop": ["all"]}}, "capabilities_restricted", 'drop without "ALL"'),
        ({"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}, None, ""),
        ({"runAsNonRoot": False}, "runAsNonRoot", "securityContext.runAsNonRoot=false"),
        ({"seccompProfile": {"type": "Unconfined"}}, "seccompProfile_restricted", "seccompProfile.type=Unconfined"),
        ({"procMount": "Unmasked"}, "procMount", "securityContext.procMount=Unmasked"),
        ({"seLinuxOptions": {"user": "root"}}, "seLinuxOptions", "securityContext.seLinuxOptions.user set"),
    ],
)
def test_container_fields(security: dict[str, Any], check_id: str | None, text: str) -> None:
    found = failures(with_container(**security))
    assert list(found) == ([check_id] if check_id else []) and text in found.get(check_id or "", ""), found


def test_init_and_ephemeral_containers_are_checked_and_listed() -> None:
    spec = {
        **RESTRICTED_POD,
        "initContainers": [{"name": "init", "securityContext": {"runAsUser": 0}}],
        "ephemeralContainers": [{"name": "debug"}],
    }
    found = failures(pod(spec))
    assert (
        found["allowPrivilegeEscalation"]
        == 'containers "init", "debug": securityContext.allowPrivilegeEscalation unset'
    )
    assert found["runAsUser"] == 'container "init": securityContext.runAsUser=0'


def test_container_setting_inherits_from_the_pod_or_overrides_it() -> None:
    spec = {**RESTRICTED_POD, "securityContext": {"runAsNonRoot": True}}  # no pod seccomp
    containers = [
        {**RESTRICTED_POD["containers"][0], "name": "a"},
        {
            "name": "b",
            "securityContext": {
                **RESTRICTED_POD["containers"][0]["securityContext"],
                "seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"},
            },
        },
    ]
    found = failures(pod({**spec, "containers": containers}))
    assert found == {
        "seccompProfile_restricted": 'container "a": securityContext.seccompProfile.type unset (pod and container)'
    }


def test_baseline_allows_what_only_restricted_forbids() -> None:
    template = pod(
        {"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["CHOWN"]}, "runAsUser": 0}}]}
    )
    assert failures(template, "baseline") == {}
    assert set(failures(template, "restricted")) == {
        "allowPrivilegeEscalation",
        "runAsNonRoot",
        "runAsUser",
        "seccompProfile_restricted",
        "capabilities_restricted",
    }
    assert failures(template, "privileged") == {}


def test_restricted_capabilities_override_the_baseline_check() -> None:
    found = failures(with_container(capabilities={"drop": ["ALL"], "add": ["SYS_ADMIN"]}))
    assert "capabilities_baseline" not in found and "capabilities_restricted" in found
    assert "capabilities_baseline" in failures(
        with_container(capabilities={"drop": ["ALL"], "add": ["SYS_ADMIN"]}), "baseline"
    )


@pytest.mark.parametrize(
    ("update", "check_id", "before", "since"),
    [
        (
            {"livenessProbe": {"httpGet": {"host": "10.0.0.1", "port": 80}}},
            "hostProbesAndHostLifecycle",
            (1, 33),
            (1, 34),
        ),
        ({"seLinuxOptions": {"type": "container_engine_t"}}, "seLinuxOptions", (1, 31), (1, 30)),
    ],
)
def test_checks_follow_the_policy_version(
    update: dict[str, Any], check_id: str, before: tuple[int, int], since: tuple[int, int]
) -> None:
    container = {**RESTRICTED_POD["containers"][0], **{k: v for k, v in update.items() if k.endswith("Probe")}}
    if "seLinuxOptions" in update:
        container["securityContext"] = {**container["securityContext"], **update}
    template = pod({**RESTRICTED_POD, "containers": [container]})
    assert check_id not in failures(template, version=before)
    assert check_id in failures(template, version=since)


def test_sysctls_allowed_from_1_32() -> None:
    template = pod(
        {
            **RESTRICTED_POD,
            "securityContext": {
                **RESTRICTED_POD["securityContext"],
                "sysctls": [{"name": "net.ipv4.tcp_rmem", "value": "1"}],
            },
        }
    )
    assert "sysctls" in failures(template, version=(1, 31))
    assert "sysctls" not in failures(template, version=(1, 32))


def test_user_namespace_relaxes_uid_0_from_1_35() -> None:
    template = pod(
        {
            **RESTRICTED_POD,
            "hostUsers": False,
            "securityContext": {"runAsUser": 0, "seccompProfile": {"type": "RuntimeDefault"}},
        }
    )
    assert {"runAsUser", "runAsNonRoot"} <= set(failures(template, version=(1, 34)))
    assert not {"runAsUser", "runAsNonRoot"} & set(failures(template, version=(1, 35)))


def test_windows_pods_skip_linux_only_rules() -> None:
    template = pod(
        {"os": {"name": "windows"}, "securityContext": {"runAsNonRoot": True}, "containers": [{"name": "win"}]}
    )
    assert failures(template) == {}


def test_annotations_are_checked() -> None:
    template = pod(
        annotations={
            "container.apparmor.security.beta.kubernetes.io/app": "unconfined",
            "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
        }
    )
    found = failures(template, "baseline")
    assert "annotation container.apparmor.security.beta.kubernetes.io/app=unconfined" in found["appArmorProfile"]
    assert "seccompProfile_baseline" not in found  # from 1.19 the fields are checked, not the annotations
    assert "seccompProfile_baseline" in failures(template, "baseline", version=(1, 18))


def test_every_workload_kind_yields_its_pod_template() -> None:
    kinds = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]
    assert [pod(kind=kind).containers[0].name for kind in kinds] == ["app"] * len(kinds)
    bare = next(
        pod_templates([{"kind": "Pod", "metadata": {"name": "p", "namespace": "x"}, "spec": RESTRICTED_POD}], "ns")
    )
    assert (bare.kind, bare.namespace) == ("Pod", "x")
    assert list(pod_templates([{"kind": "Service", "metadata": {"name": "s"}, "spec": {}}], "ns")) == []
    helm_test = {
        "kind": "Pod",
        "metadata": {"name": "t", "annotations": {"helm.sh/hook": "test"}},
        "spec": RESTRICTED_POD,
    }
    assert list(pod_templates([helm_test], "ns")) == []  # Argo CD never runs Helm test hooks


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (None, ("privileged", (1, 34), False)),
        ({"pod-security.kubernetes.io/enforce": "baseline"}, ("baseline", (1, 34), False)),
        (
            {"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v1.30"},
            ("restricted", (1, 30), False),
        ),
        (
            {"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v1.40"},
            ("restricted", (1, 34), False),
        ),
        ({"pod-security.kubernetes.io/enforce": "strict"}, ("restricted", (1, 34), True)),
        (
            {"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "1.30"},
            ("restricted", (1, 34), True),
        ),
    ],
)
def test_namespace_labels(labels: dict[str, str] | None, expected: tuple[str, tuple[int, int], bool]) -> None:
    security = pod_security(labels, (1, 34))
    assert (security.level, security.version, bool(security.problem)) == expected


def test_namespace_labels_from_namespace_objects_and_argo_cd_managed_metadata() -> None:
    created = SimpleNamespace(
        namespace="tools",
        objects=[],
        application={
            "spec": {
                "syncPolicy": {
                    "syncOptions": ["CreateNamespace=true"],
                    "managedNamespaceMetadata": {"labels": {"pod-security.kubernetes.io/enforce": "baseline"}},
                }
            }
        },
    )
    chart = SimpleNamespace(
        namespace="kube-system",
        application={},
        objects=[
            {
                "kind": "Namespace",
                "metadata": {"name": "apps", "labels": {"pod-security.kubernetes.io/enforce": "restricted"}},
            }
        ],
    )
    labels = namespace_labels([created, chart])
    assert pod_security(labels["tools"], (1, 34)).level == "baseline"
    assert pod_security(labels["apps"], (1, 34)).level == "restricted"
    assert "kube-system" not in labels  # nothing creates it: privileged


def test_a_volume_without_a_type_is_an_empty_dir() -> None:
    assert failures(pod({**RESTRICTED_POD, "volumes": [{"name": "scratch"}]})) == {}
