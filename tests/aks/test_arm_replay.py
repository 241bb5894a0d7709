"""`aks diff` and `aks apply` through the SDK's own pipeline against recorded ARM responses on 127.0.0.1."""

from __future__ import annotations

from typing import Any

import pytest

from platformctl.aks import operations
from platformctl.aks.model import AUTO_UPGRADE_SCHEDULE, build_cluster_request
from platformctl.environments import Environment
from platformctl.errors import PlatformError

CLUSTER_FILE = "clusters/dev/cluster.yaml"


def test_diff_in_sync_ignores_read_only_fields_enum_case_and_autoscaled_counts(
    arm_server: Any, arm_client: Any, recorded_env: Environment
) -> None:
    arm_server.load("diff-in-sync")
    drifts = operations.diff(arm_client, build_cluster_request(recorded_env), CLUSTER_FILE)
    assert drifts == []
    assert arm_server.unused() == []
    assert all(r.headers["Authorization"] == "Bearer replay-token" for r in arm_server.received)


def test_diff_reports_every_drifted_field(arm_server: Any, arm_client: Any, recorded_env: Environment) -> None:
    arm_server.load("diff-drifted")
    drifts = operations.diff(arm_client, build_cluster_request(recorded_env), CLUSTER_FILE)
    found = {(d.resource, d.field): (d.desired, d.live) for d in drifts}
    assert found == {
        ("managedCluster", "tags.owner"): ("platform-team", "someone-else"),
        ("managedCluster", "properties.agentPoolProfiles[general].maxCount"): ("4", "8"),
        ("managedCluster", "properties.agentPoolProfiles[adhoc]"): ("<absent>", "<present>"),
        ("managedCluster", "properties.addonProfiles.azurepolicy.enabled"): ("True", "False"),
        ("managedCluster", "properties.apiServerAccessProfile.authorizedIPRanges"): (
            "['203.0.113.0/24']",
            "['0.0.0.0/0']",
        ),
        ("maintenanceConfiguration", "(resource)"): ("<present>", "<absent>"),
        ("publicIp", "(resource)"): ("<present>", "<absent>"),
    }


def test_diff_of_a_cluster_not_created_yet(arm_server: Any, arm_client: Any, recorded_env: Environment) -> None:
    arm_server.load("diff-not-created")
    drifts = operations.diff(arm_client, build_cluster_request(recorded_env), CLUSTER_FILE)
    assert [(d.resource, d.field, d.live) for d in drifts] == [("managedCluster", "(resource)", "<absent>")]


def test_unknown_subscription_is_an_error_not_a_missing_cluster(
    arm_server: Any, arm_client: Any, recorded_env: Environment
) -> None:
    arm_server.load("subscription-not-found")
    with pytest.raises(PlatformError) as error:
        operations.diff(arm_client, build_cluster_request(recorded_env), CLUSTER_FILE)
    message = str(error.value)
    assert (
        "ARM error SubscriptionNotFound: The subscription '1a2b3c4d-0000-4000-8000-000000000d01' could not" in message
    )
    assert f"check spec.subscriptionId in {CLUSTER_FILE}" in message


def test_apply_runs_the_long_running_create_to_completion(
    arm_server: Any, arm_client: Any, recorded_env: Environment
) -> None:
    arm_server.load("apply-created")
    request = build_cluster_request(recorded_env)
    lines: list[str] = []
    result = operations.apply(arm_client, request, CLUSTER_FILE, progress=lines.append)

    assert (result.provisioning_state, result.kubernetes_version) == ("Succeeded", "1.34.1")
    assert result.fqdn.endswith(".hcp.westeurope.azmk8s.io")
    assert arm_server.unused() == []  # version check, PUT, two polls of the async operation, final GET, ...
    operation_polls = [r for r in arm_server.received if "/operations/" in r.path]
    assert len(operation_polls) == 2
    bodies = request.bodies()
    (put_cluster,) = arm_server.sent("PUT", request.cluster_id)
    assert put_cluster.body == bodies[f"PUT {request.cluster_id}"]  # exactly what `aks plan` prints
    (put_schedule,) = arm_server.sent("PUT", f"/maintenanceConfigurations/{AUTO_UPGRADE_SCHEDULE}")
    assert put_schedule.body["properties"]["maintenanceWindow"]["schedule"]["weekly"]["dayOfWeek"] == "Tuesday"
    (put_policy,) = arm_server.sent("PUT", "/policyAssignments/pod-security-restricted")
    assert put_policy.body == request.policy_assignment.body
    assert put_policy.query["api-version"] == ["2023-04-01"]
    (put_ip,) = arm_server.sent("PUT", "/publicIPAddresses/pip-dataplatform-dev-ingress")
    assert put_ip.body == request.public_ip.body
    assert put_ip.body["properties"]["publicIPAllocationMethod"] == "Static"
    assert put_ip.body["sku"]["name"] == "Standard"
    assert lines[-2:] == [
        "PUT policyAssignments/pod-security-restricted: done",
        "PUT publicIPAddresses/pip-dataplatform-dev-ingress: done",
    ]


def test_failed_long_running_operation_shows_arm_code_and_message(
    arm_server: Any, arm_client: Any, recorded_env: Environment
) -> None:
    arm_server.load("apply-quota-exceeded")
    with pytest.raises(PlatformError) as error:
        operations.apply(arm_client, build_cluster_request(recorded_env), CLUSTER_FILE, progress=lambda _: None)
    message = str(error.value)
    assert message.startswith(
        "creating/updating cluster aks-dataplatform-dev: ARM error ErrCode_InsufficientVCPUQuota:"
    )
    assert "left regional vcpu quota 8, requested quota 32" in message
    assert "request a vCPU quota increase" in message
    assert arm_server.unused() == []
    assert not arm_server.sent("PUT", "/policyAssignments/pod-security-restricted")


def test_synchronous_validation_error(arm_server: Any, arm_client: Any, recorded_env: Environment) -> None:
    arm_server.load("apply-invalid")
    with pytest.raises(PlatformError, match=r"ARM error InvalidParameter: The value of parameter agentPoolProfile"):
        operations.apply(arm_client, build_cluster_request(recorded_env), CLUSTER_FILE, progress=lambda _: None)


def test_version_not_offered_in_region_stops_before_any_change(
    arm_server: Any, arm_client: Any, recorded_env: Environment
) -> None:
    arm_server.load("apply-version-not-offered")
    with pytest.raises(
        PlatformError, match=r"kubernetesVersion 1.34 is not offered by AKS in westeurope \(offered: 1.32, 1.33\)"
    ):
        operations.apply(arm_client, build_cluster_request(recorded_env), CLUSTER_FILE, progress=lambda _: None)
    assert [r.method for r in arm_server.received] == ["GET"]
