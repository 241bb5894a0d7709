"""The restricted initiative: what cluster.yaml assigns, whom it covers, what each policy denies."""

from __future__ import annotations

from typing import Any

import pytest

from platformctl.admission.azure.initiative import DEFAULT_ALLOWED_CAPABILITIES, initiative_of
from platformctl.admission.azure.policies import POLICIES
from platformctl.admission.pods import pod_templates
from platformctl.admission.violations import describe

from .conftest import initiative

COMPLIANT: dict[str, Any] = {
    "securityContext": {
        "runAsNonRoot": True,
        "runAsGroup": 1000,
        "fsGroup": 1000,
        "supplementalGroups": [1000],
        "seccompProfile": {"type": "RuntimeDefault"},
    },
    "containers": [{"name": "app", "securityContext": {"allowPrivilegeEscalation": False}}],
}


def cluster(**azure_policy: Any) -> dict[str, Any]:
    return {"spec": {"azurePolicy": azure_policy}}


def denied(spec: dict[str, Any], **parameters: list[str]) -> dict[str, str]:
    assigned = initiative_of(cluster(**initiative(**parameters)))
    assert assigned is not None
    template = next(pod_templates([{"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}], "ns"))
    return {p.reference_id: describe(parts) for p in POLICIES if (parts := p.evaluate(template, assigned))}


def test_initiative_defaults_and_parameters() -> None:
    assigned = initiative_of(cluster(**initiative(effect="Audit", requiredDropCapabilities=["ALL"])))
    assert (
        assigned is not None and assigned.restricted and assigned.effect == "audit" and assigned.severity == "warning"
    )
    assert assigned.parameters["allowedCapabilities"] == DEFAULT_ALLOWED_CAPABILITIES
    assert assigned.parameters["requiredDropCapabilities"] == ("ALL",)
    assert initiative_of(cluster(enabled=False)) is None and initiative_of({}) is None


def test_covered_namespaces() -> None:
    assigned = initiative_of(cluster(**initiative(excluded=("node-*",))))
    assert assigned is not None
    assert not assigned.covers("kube-system") and not assigned.covers("azure-arc")  # the set's defaults
    assert not assigned.covers("node-agents") and assigned.covers("monitoring")
    only_some = initiative_of(cluster(**initiative(namespaces=["data-apps"])))
    assert only_some is not None and only_some.covers("data-apps") and not only_some.covers("monitoring")


def test_compliant_pod_passes_every_policy() -> None:
    assert denied(COMPLIANT) == {}


@pytest.mark.parametrize(
    ("update", "policy", "text"),
    [
        ({"hostNetwork": True}, "BlockUsingHostNetwork", "spec.hostNetwork=true"),
        ({"hostIPC": True}, "BlockUsingHostProcessIDAndIPC", "spec.hostIPC=true"),
        (
            {"volumes": [{"name": "sock", "hostPath": {"path": "/run"}}]},
            "AllowedVolumeTypes",
            'volume "sock" of type hostPath',
        ),
        (
            {"securityContext": {**COMPLIANT["securityContext"], "fsGroup": 0}},
            "AllowedUsersGroups",
            "spec.securityContext.fsGroup=0",
        ),
        (
            {"securityContext": {**COMPLIANT["securityContext"], "supplementalGroups": []}},
            "AllowedUsersGroups",
            "supplementalGroups unset",
        ),
        (
            {"securityContext": {**COMPLIANT["securityContext"], "runAsGroup": None}},
            "AllowedUsersGroups",
            "runAsGroup unset",
        ),
        (
            {
                "securityContext": {
                    **COMPLIANT["securityContext"],
                    "seccompProfile": {"type": "Localhost", "localhostProfile": "x"},
                }
            },
            "AllowedSeccompProfiles",
            "seccomp profile localhost/x",
        ),
    ],
)
def test_pod_level_policies(update: dict[str, Any], policy: str, text: str) -> None:
    found = denied({**COMPLIANT, **update})
    assert list(found) == [policy] and text in found[policy], found


@pytest.mark.parametrize(
    ("security", "policy", "text"),
    [
        ({"privileged": True}, "NoPrivilegedContainers", "securityContext.privileged=true"),
        ({"allowPrivilegeEscalation": None}, "NoPrivilegeEscalation", "securityContext.allowPrivilegeEscalation unset"),
        (
            {"capabilities": {"add": ["SYS_ADMIN", "CHOWN"]}},
            "ContainerCapabilities",
            "securityContext.capabilities.add SYS_ADMIN",
        ),
        ({"runAsUser": 0}, "AllowedUsersGroups", "securityContext.runAsUser=0"),
        ({"seccompProfile": {"type": "Unconfined"}}, "AllowedSeccompProfiles", "seccomp profile unconfined"),
    ],
)
def test_container_policies(security: dict[str, Any], policy: str, text: str) -> None:
    container = {"name": "init", "securityContext": {"allowPrivilegeEscalation": False, **security}}
    found = denied({**COMPLIANT, "initContainers": [container], "containers": COMPLIANT["containers"]})
    assert list(found) == [policy] and f'container "init": {text}' in found[policy], found


def test_required_drop_is_satisfied_by_all() -> None:
    drops = {"name": "a", "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["all"]}}}
    keeps = {"name": "b", "securityContext": {"allowPrivilegeEscalation": False}}
    found = denied({**COMPLIANT, "containers": [drops, keeps]}, requiredDropCapabilities=["NET_RAW"])
    assert found == {"ContainerCapabilities": 'container "b": securityContext.capabilities.drop without NET_RAW'}


def test_seccomp_annotation_counts() -> None:
    spec = {
        **COMPLIANT,
        "securityContext": {k: v for k, v in COMPLIANT["securityContext"].items() if k != "seccompProfile"},
    }
    assert "AllowedSeccompProfiles" in denied(spec)
