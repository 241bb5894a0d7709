"""The admission gate on one fixture chart per failure: each yields exactly the finding that names it."""

from __future__ import annotations

import datetime as dt

import pytest

from platformctl.findings import Finding

from .conftest import AdmissionEnv, initiative

pytestmark = pytest.mark.slow


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, "\n".join(f.one_line() for f in findings)
    return findings[0]


def test_host_network_daemonset_in_a_restricted_namespace(admission_env: AdmissionEnv) -> None:
    finding = only(admission_env("host-network-daemonset", "agents", levels={"agents": "restricted"}))
    assert (finding.application, finding.kind, finding.name, finding.severity) == (
        "case",
        "DaemonSet",
        "node-exporter",
        "error",
    )
    assert finding.message == (
        'container "node-exporter": spec.hostNetwork=true is forbidden by pod-security restricted '
        "(host namespaces) of namespace agents [PSS_hostNamespaces]"
    )
    assert "hostNetwork" in finding.fix


def test_the_same_daemonset_passes_a_privileged_namespace(admission_env: AdmissionEnv) -> None:
    assert admission_env("host-network-daemonset", "agents", levels={"agents": "privileged"}) == []


def test_container_without_seccomp_profile(admission_env: AdmissionEnv) -> None:
    finding = only(admission_env("no-seccomp", "edge", levels={"edge": "restricted"}))
    assert finding.message == (
        'container "proxy": securityContext.seccompProfile.type unset (pod and container) is forbidden by '
        "pod-security restricted (seccompProfile) of namespace edge [PSS_seccompProfile_restricted]"
    )
    assert "RuntimeDefault" in finding.fix


def test_missing_seccomp_is_allowed_by_baseline(admission_env: AdmissionEnv) -> None:
    assert admission_env("no-seccomp", "edge", levels={"edge": "baseline"}) == []


def test_root_chown_init_container_is_denied_by_the_initiative(admission_env: AdmissionEnv) -> None:
    # As grafana's init-chown-data in `monitoring`: the namespace enforces no Pod Security level, the
    # initiative still covers it (it ignores the namespace's level) and denies uid 0.
    finding = only(admission_env("root-chown-init", "monitoring", azure_policy=initiative()))
    assert finding.kind == "Deployment" and finding.name == "dashboards"
    assert finding.message == (
        'container "init-chown-data": securityContext.runAsUser=0 is forbidden by Azure Policy AllowedUsersGroups '
        "(initiative pod-security-restricted, effect deny) [AZP_AllowedUsersGroups]"
    )


def test_root_chown_init_container_in_a_restricted_namespace(admission_env: AdmissionEnv) -> None:
    found = admission_env("root-chown-init", "data", levels={"data": "restricted"})
    rules = sorted(f.message.rsplit("[", 1)[1].rstrip("]") for f in found)
    assert rules == ["PSS_capabilities_restricted", "PSS_runAsNonRoot", "PSS_runAsUser"]
    assert all('container "init-chown-data"' in f.message for f in found)


def test_hook_job_violating_restricted(admission_env: AdmissionEnv) -> None:
    finding = only(admission_env("hook-job", "datahub", levels={"datahub": "restricted"}))
    assert (finding.kind, finding.name) == ("Job", "schema-upgrade")
    assert finding.message == (
        'pre-install hook: container "upgrade": securityContext.allowPrivilegeEscalation unset is forbidden by '
        "pod-security restricted (allowPrivilegeEscalation != false) of namespace datahub "
        "[PSS_allowPrivilegeEscalation]"
    )


def test_namespace_excluded_from_the_initiative_keeps_its_pod_security(admission_env: AdmissionEnv) -> None:
    excluded = initiative(excluded=("node-agents",))
    finding = only(
        admission_env("host-port-agent", "node-agents", levels={"node-agents": "baseline"}, azure_policy=excluded)
    )
    assert finding.message == (
        'container "log-agent": ports[].hostPort 24224 is forbidden by pod-security baseline (hostPort) of '
        "namespace node-agents [PSS_hostPorts]"
    )


def test_the_initiative_covers_a_namespace_it_does_not_exclude(admission_env: AdmissionEnv) -> None:
    found = admission_env(
        "host-port-agent", "node-agents", levels={"node-agents": "baseline"}, azure_policy=initiative()
    )
    rules = sorted(f.message.rsplit("[", 1)[1].rstrip("]") for f in found)
    assert rules == [
        "AZP_AllowedSeccompProfiles",
        "AZP_AllowedUsersGroups",
        "AZP_BlockUsingHostNetwork",
        "AZP_NoPrivilegeEscalation",
        "PSS_hostPorts",
    ]


@pytest.mark.parametrize(("effect", "severity"), [("deny", "error"), ("audit", "warning"), ("disabled", None)])
def test_effect_sets_the_severity(admission_env: AdmissionEnv, effect: str, severity: str | None) -> None:
    found = admission_env("no-seccomp", "edge", azure_policy=initiative(effect=effect))
    if severity is None:
        assert found == []
        return
    finding = only(found)
    assert finding.severity == severity
    assert finding.message.endswith(
        f"(initiative pod-security-restricted, effect {effect}) [AZP_AllowedSeccompProfiles]"
    )


def test_parameters_require_dropping_capabilities(admission_env: AdmissionEnv) -> None:
    policy = initiative(requiredDropCapabilities=["NET_RAW"], allowedCapabilities=[])
    finding = only(
        admission_env(
            "root-chown-init",
            "monitoring",
            azure_policy=policy,
            exceptions=[
                {
                    "check": "AZP_AllowedUsersGroups",
                    "object": "Deployment/monitoring/dashboards",
                    "reason": "chown of a volume",
                    "owner": "platform-team",
                    "expires": "2099-01-01",
                }
            ],
        )
    )
    # drop [ALL] satisfies the required drop; the allowed list is now empty, so CHOWN is not.
    assert finding.message.startswith(
        'container "init-chown-data": securityContext.capabilities.add CHOWN is forbidden'
    )


EXCEPTION = {
    "check": "PSS_seccompProfile_restricted",
    "object": "Deployment/edge/proxy",
    "application": "case",
    "reason": "the chart sets no seccomp profile and has no value for it",
    "owner": "platform-team",
}


def test_a_valid_exception_covers_the_finding(admission_env: AdmissionEnv) -> None:
    entry = {**EXCEPTION, "expires": "2027-01-01"}
    found = admission_env(
        "no-seccomp", "edge", levels={"edge": "restricted"}, exceptions=[entry], today=dt.date(2026, 12, 1)
    )
    assert found == []


def test_an_expired_exception_stops_covering(admission_env: AdmissionEnv) -> None:
    entry = {**EXCEPTION, "expires": "2026-11-30"}
    found = admission_env(
        "no-seccomp", "edge", levels={"edge": "restricted"}, exceptions=[entry], today=dt.date(2026, 12, 1)
    )
    workload = only([f for f in found if f.kind == "Deployment"])
    assert workload.message.endswith("[PSS_seccompProfile_restricted]")
    expired = only([f for f in found if f.kind == "Exception"])
    assert "expired on 2026-11-30" in expired.message and expired.file.startswith("policies/exceptions.yaml")


def test_an_exception_matching_nothing_is_stale(admission_env: AdmissionEnv) -> None:
    entry = {**EXCEPTION, "expires": "2027-01-01", "object": "Deployment/edge/other"}
    found = admission_env(
        "no-seccomp", "edge", levels={"edge": "baseline"}, exceptions=[entry], today=dt.date(2026, 12, 1)
    )
    assert "is stale" in only(found).message


def test_invalid_pod_security_label_is_enforced_as_restricted(admission_env: AdmissionEnv) -> None:
    found = admission_env("no-seccomp", "edge", levels={"edge": "strict"})
    assert sorted(f.kind for f in found) == ["Deployment", "Namespace"]
    assert any("restricted (seccompProfile)" in f.message for f in found)


def test_an_initiative_the_gate_does_not_model_is_a_warning(admission_env: AdmissionEnv) -> None:
    other = initiative()
    other["initiative"]["definitionId"] = other["initiative"]["definitionId"].replace("42b8ef37", "a8640138")
    finding = only(admission_env("no-seccomp", "edge", azure_policy=other))
    assert (finding.kind, finding.severity) == ("AksCluster", "warning") and "is not modelled" in finding.message
