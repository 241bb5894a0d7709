"""What `platformctl aks plan|diff|apply` do, independent of argument parsing and printing.

The client is passed in, so tests drive the SDK's real pipeline against a local replay server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.core.rest import HttpRequest
from azure.mgmt.containerservice import ContainerServiceClient

from platformctl.aks.arm import arm_errors, error_code_and_message
from platformctl.aks.drift import MISSING, Drift, field_drift
from platformctl.aks.invariants import check_cluster
from platformctl.aks.model import (
    AUTO_UPGRADE_SCHEDULE,
    CACHE_RULE_API_VERSION,
    POLICY_API_VERSION,
    ChildResource,
    ClusterRequest,
    build_cluster_request,
)
from platformctl.environments import Environment
from platformctl.errors import PlatformError

#: Upper bound for the cluster's long-running create/update (AKS creation takes 5-15 minutes).
APPLY_TIMEOUT_SECONDS = 45 * 60


def plan(env: Environment) -> ClusterRequest:
    """The requests for `env`; refuses a cluster.yaml that breaks an invariant."""
    findings = check_cluster(env)
    if findings:
        first = findings[0]
        more = f" (and {len(findings) - 1} more: run `platformctl aks check {env.name}`)" if len(findings) > 1 else ""
        raise PlatformError(f"{first.file}: {first.kind}/{first.name}: {first.message}{more}", fix=first.fix)
    return build_cluster_request(env)


def diff(client: ContainerServiceClient, request: ClusterRequest, cluster_file: str) -> list[Drift]:
    """Field-level drift of the live cluster, its upgrade schedule, its policy assignment and its ingress IP."""
    with arm_errors(f"reading cluster {request.name}", cluster_file=cluster_file):
        live_cluster = _get_or_none(lambda: client.managed_clusters.get(request.resource_group, request.name))
        if live_cluster is None:
            return [Drift("managedCluster", "(resource)", "<present>", MISSING)]
        live_schedule = _get_or_none(
            lambda: client.maintenance_configurations.get(request.resource_group, request.name, AUTO_UPGRADE_SCHEDULE)
        )
        live_policy = _get_policy_assignment(client, request)
        live_ip = _get_arm(client, request.public_ip.path, request.public_ip.api_version)
        live_rules = {rule.name: _get_arm(client, rule.path, CACHE_RULE_API_VERSION) for rule in request.cache_rules}
    desired_cluster = request.managed_cluster.as_dict()
    desired_schedule = request.maintenance.as_dict()
    desired_policy = request.policy_assignment.body
    drifts = field_drift("managedCluster", desired_cluster, live_cluster.as_dict())
    if live_schedule is None:
        drifts.append(Drift("maintenanceConfiguration", "(resource)", "<present>", MISSING))
    else:
        drifts.extend(field_drift("maintenanceConfiguration", desired_schedule, live_schedule.as_dict()))
    if live_policy is None:
        drifts.append(Drift("policyAssignment", "(resource)", "<present>", MISSING))
    else:
        drifts.extend(field_drift("policyAssignment", desired_policy, live_policy))
    if live_ip is None:
        drifts.append(Drift("publicIp", "(resource)", "<present>", MISSING))
    else:
        drifts.extend(field_drift("publicIp", request.public_ip.body, live_ip))
    for rule in request.cache_rules:
        live_rule = live_rules[rule.name]
        if live_rule is None:
            drifts.append(Drift(f"cacheRule[{rule.name}]", "(resource)", "<present>", MISSING))
        else:
            drifts.extend(field_drift(f"cacheRule[{rule.name}]", rule.body, live_rule))
    return drifts


def check_version_offered(client: ContainerServiceClient, request: ClusterRequest, cluster_file: str) -> None:
    """AKS must offer the cluster.yaml Kubernetes version in the cluster's region."""
    location = request.managed_cluster.location
    wanted = request.managed_cluster.kubernetes_version
    with arm_errors(f"listing Kubernetes versions in {location}", cluster_file=cluster_file):
        result = client.managed_clusters.list_kubernetes_versions(location)
    offered: set[str] = set()
    for version in result.values_property or []:
        offered.add(str(version.version))
        offered.update((version.patch_versions or {}).keys())
    if wanted not in offered:
        minors = ", ".join(sorted({v.version for v in result.values_property or []}, key=_version_key)) or "none"
        raise PlatformError(
            f"{cluster_file}: spec.kubernetesVersion {wanted} is not offered by AKS in {location} (offered: {minors})",
            fix="pick an offered version that the manifest gate also validates (1.25-1.37)",
        )


@dataclass(frozen=True)
class ApplyResult:
    provisioning_state: str
    kubernetes_version: str
    fqdn: str


def apply(
    client: ContainerServiceClient,
    request: ClusterRequest,
    cluster_file: str,
    progress: Callable[[str], None] = print,
) -> ApplyResult:
    """Create or update the cluster (long-running), its upgrade schedule, policy assignment and ingress IP."""
    check_version_offered(client, request, cluster_file)
    with arm_errors(f"creating/updating cluster {request.name}", cluster_file=cluster_file):
        progress(f"PUT managedClusters/{request.name}: started (long-running, up to {APPLY_TIMEOUT_SECONDS // 60} min)")
        poller = client.managed_clusters.begin_create_or_update(
            request.resource_group, request.name, request.managed_cluster
        )
        cluster = poller.result(timeout=APPLY_TIMEOUT_SECONDS)
        if not poller.done():
            raise PlatformError(
                f"cluster {request.name} still {poller.status()} after {APPLY_TIMEOUT_SECONDS} s",
                fix="watch it with `az aks show`, then rerun `platformctl aks diff`",
            )
        progress(f"PUT managedClusters/{request.name}: {cluster.provisioning_state}")
    with arm_errors(f"setting the upgrade schedule of {request.name}", cluster_file=cluster_file):
        client.maintenance_configurations.create_or_update(
            request.resource_group, request.name, AUTO_UPGRADE_SCHEDULE, request.maintenance
        )
        progress(f"PUT maintenanceConfigurations/{AUTO_UPGRADE_SCHEDULE}: done")
    with arm_errors(f"assigning policy {request.policy_assignment.name}", cluster_file=cluster_file):
        assignment = request.policy_assignment
        response = client.send_request(
            HttpRequest("PUT", _policy_url(request), json=assignment.body, params={"api-version": POLICY_API_VERSION})
        )
        response.raise_for_status()
        progress(f"PUT policyAssignments/{assignment.name}: done")
    public_ip = request.public_ip
    with arm_errors(f"creating public IP {public_ip.name}", cluster_file=cluster_file):
        response = client.send_request(
            HttpRequest(
                "PUT", "{endpoint}" + public_ip.path, json=public_ip.body, params={"api-version": public_ip.api_version}
            )
        )
        response.raise_for_status()
        progress(f"PUT publicIPAddresses/{public_ip.name}: done")
    for rule in request.cache_rules:
        _put_cache_rule(client, rule, cluster_file)
        progress(f"PUT cacheRules/{rule.name}: done")
    return ApplyResult(
        provisioning_state=str(cluster.provisioning_state),
        kubernetes_version=str(cluster.current_kubernetes_version or cluster.kubernetes_version),
        fqdn=str(cluster.private_fqdn or cluster.fqdn or ""),
    )


def _policy_url(request: ClusterRequest) -> str:
    return "{endpoint}" + request.policy_assignment.path


def _put_cache_rule(client: ContainerServiceClient, rule: ChildResource, cluster_file: str) -> None:
    """PUT answers 200/201 with the rule, or 201 + Azure-AsyncOperation; a rule is ready within seconds."""
    with arm_errors(f"creating cache rule {rule.name}", cluster_file=cluster_file):
        request = HttpRequest(
            "PUT", "{endpoint}" + rule.path, json=rule.body, params={"api-version": CACHE_RULE_API_VERSION}
        )
        client.send_request(request).raise_for_status()


def _get_policy_assignment(client: ContainerServiceClient, request: ClusterRequest) -> dict[str, Any] | None:
    return _get_arm(client, request.policy_assignment.path, POLICY_API_VERSION)


def _get_arm(client: ContainerServiceClient, path: str, api_version: str) -> dict[str, Any] | None:
    """GET an ARM resource outside the containerservice API: its JSON, or None when it does not exist."""
    response = client.send_request(HttpRequest("GET", "{endpoint}" + path, params={"api-version": api_version}))
    if response.status_code == 404:
        try:
            response.raise_for_status()
        except HttpResponseError as error:
            if error_code_and_message(error)[0] in _SCOPE_NOT_FOUND:
                raise
        return None
    response.raise_for_status()
    return response.json()


#: 404 codes that mean "the scope is wrong", not "the resource does not exist yet".
_SCOPE_NOT_FOUND = frozenset({"SubscriptionNotFound", "ResourceGroupNotFound", "InvalidSubscriptionId"})


def _get_or_none(read: Callable[[], Any]) -> Any:
    """The resource, or None when ARM says it does not exist; a missing subscription/group still fails."""
    try:
        return read()
    except ResourceNotFoundError as error:
        if error_code_and_message(error)[0] in _SCOPE_NOT_FOUND:
            raise
        return None


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())
