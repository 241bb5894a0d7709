"""Build the ARM requests of one environment's cluster from its cluster.yaml.

Four resources make a cluster the platform can use: the ManagedCluster itself (node pools, network,
Entra ID, workload identity, add-ons, Azure Monitor, upgrade channel), its planned-maintenance
configuration for automatic upgrades, the Azure Policy assignment of the pod security
initiative the policy add-on enforces at admission time, and the static public IP of the ingress
load balancer (Traefik's Service names it; the wildcard DNS record points at it). Every body is built with the
azure-mgmt-containerservice models so the SDK serialises exactly what `aks apply` sends. Then the
artifact cache rules of the platform's container registry, through which every upstream image is
pulled (plain bodies: azure-mgmt-containerregistry and azure-mgmt-network are not dependencies).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azure.mgmt.containerservice import models as aks

from platformctl.aks.spec import aks_cluster
from platformctl.environments import Environment

#: Name AKS gives the maintenance configuration that schedules automatic cluster upgrades.
AUTO_UPGRADE_SCHEDULE = "aksManagedAutoUpgradeSchedule"
#: api-version of Microsoft.Authorization/policyAssignments used for the pod security initiative.
POLICY_API_VERSION = "2023-04-01"
#: api-version of Microsoft.Network/publicIPAddresses (azure-mgmt-network is not a dependency: plain body).
PUBLIC_IP_API_VERSION = "2024-05-01"
#: api-version of Microsoft.ContainerRegistry/registries/cacheRules (GA).
CACHE_RULE_API_VERSION = "2023-07-01"
#: Add-on names as ARM spells them (the keys of properties.addonProfiles).
ADDON_POLICY = "azurepolicy"
ADDON_KEY_VAULT = "azureKeyvaultSecretsProvider"
ADDON_CONTAINER_INSIGHTS = "omsagent"


@dataclass(frozen=True)
class ChildResource:
    """An ARM resource sent as a plain body under `scope` (its provider's SDK is not a dependency):
    the pod security policy assignment at the cluster's scope, the registry's cache rules."""

    name: str
    scope: str
    collection: str  # the path segment(s) between the scope and the name
    body: dict[str, Any]

    @property
    def path(self) -> str:
        return f"{self.scope}/{self.collection}/{self.name}"


POLICY_ASSIGNMENTS = "providers/Microsoft.Authorization/policyAssignments"
CACHE_RULES = "cacheRules"


@dataclass(frozen=True)
class PlainResource:
    """An ARM resource sent as a plain JSON body (its SDK is not a dependency)."""

    name: str
    path: str
    api_version: str
    body: dict[str, Any]


@dataclass(frozen=True)
class ClusterRequest:
    """Everything `aks apply` sends for one environment, in order."""

    env: str
    subscription_id: str
    resource_group: str
    name: str
    managed_cluster: aks.ManagedCluster
    maintenance: aks.MaintenanceConfiguration
    policy_assignment: ChildResource
    public_ip: PlainResource
    cache_rules: tuple[ChildResource, ...] = ()

    @property
    def cluster_id(self) -> str:
        return cluster_resource_id(self.subscription_id, self.resource_group, self.name)

    def bodies(self) -> dict[str, dict[str, Any]]:
        """The request bodies keyed by `PUT <resource path>`, as the SDK serialises them."""
        return {
            f"PUT {self.cluster_id}": self.managed_cluster.as_dict(),
            f"PUT {self.cluster_id}/maintenanceConfigurations/{AUTO_UPGRADE_SCHEDULE}": self.maintenance.as_dict(),
            f"PUT {self.policy_assignment.path}": self.policy_assignment.body,
            f"PUT {self.public_ip.path}": self.public_ip.body,
            **{f"PUT {rule.path}": rule.body for rule in self.cache_rules},
        }


def build_cluster_request(env: Environment) -> ClusterRequest:
    cluster = aks_cluster(env)
    spec = cluster["spec"]
    name = cluster["metadata"]["name"]
    cluster_id = cluster_resource_id(spec["subscriptionId"], spec["resourceGroup"], name)
    return ClusterRequest(
        env=env.name,
        subscription_id=spec["subscriptionId"],
        resource_group=spec["resourceGroup"],
        name=name,
        managed_cluster=build_managed_cluster(cluster),
        maintenance=build_maintenance(spec["upgrade"]["maintenanceWindow"]),
        policy_assignment=build_policy_assignment(spec, cluster_id, env.name),
        public_ip=build_public_ip(spec),
        cache_rules=build_cache_rules(spec["containerRegistry"]),
    )


def cluster_resource_id(subscription_id: str, resource_group: str, name: str) -> str:
    return (
        f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"
        f"/providers/Microsoft.ContainerService/managedClusters/{name}"
    )


def build_managed_cluster(cluster: dict[str, Any]) -> aks.ManagedCluster:
    spec = cluster["spec"]
    return aks.ManagedCluster(
        location=spec["location"],
        tags=dict(spec["tags"]),
        sku=aks.ManagedClusterSKU(name="Base", tier=spec["skuTier"]),
        identity=aks.ManagedClusterIdentity(type="SystemAssigned"),
        kubernetes_version=spec["kubernetesVersion"],
        dns_prefix=cluster["metadata"]["name"],
        enable_rbac=True,
        disable_local_accounts=spec["entra"]["disableLocalAccounts"],
        agent_pool_profiles=[build_agent_pool(pool, spec) for pool in spec["nodePools"]],
        network_profile=build_network_profile(spec["network"]),
        api_server_access_profile=build_api_server_access(spec["apiServer"]),
        aad_profile=aks.ManagedClusterAADProfile(
            managed=True,
            enable_azure_rbac=spec["entra"]["azureRbac"],
            tenant_id=spec["entra"]["tenantId"],
            admin_group_object_i_ds=[spec["entra"]["groups"]["admins"]],
        ),
        oidc_issuer_profile=aks.ManagedClusterOIDCIssuerProfile(enabled=spec["workloadIdentity"]["oidcIssuer"]),
        security_profile=aks.ManagedClusterSecurityProfile(
            workload_identity=aks.ManagedClusterSecurityProfileWorkloadIdentity(
                enabled=spec["workloadIdentity"]["enabled"]
            )
        ),
        addon_profiles=build_addons(spec),
        azure_monitor_profile=aks.ManagedClusterAzureMonitorProfile(
            metrics=aks.ManagedClusterAzureMonitorProfileMetrics(enabled=spec["monitoring"]["managedPrometheus"])
        ),
        auto_upgrade_profile=aks.ManagedClusterAutoUpgradeProfile(
            upgrade_channel=spec["upgrade"]["channel"],
            node_os_upgrade_channel=spec["upgrade"]["nodeOsChannel"],
        ),
    )


def build_agent_pool(pool: dict[str, Any], spec: dict[str, Any]) -> aks.ManagedClusterAgentPoolProfile:
    """One autoscaled VM scale set pool; spot pools get the eviction settings AKS requires."""
    fields: dict[str, Any] = {
        "name": pool["name"],
        "mode": pool["mode"],
        "vm_size": pool["vmSize"],
        "type": "VirtualMachineScaleSets",
        "os_type": "Linux",
        "os_sku": "AzureLinux",
        "orchestrator_version": spec["kubernetesVersion"],
        "enable_auto_scaling": True,
        "count": pool["minCount"],
        "min_count": pool["minCount"],
        "max_count": pool["maxCount"],
        "max_pods": pool.get("maxPods", 110),
        "node_labels": dict(pool.get("labels", {})),
        "node_taints": list(pool.get("taints", [])),
    }
    if spec["availabilityZones"]:
        fields["availability_zones"] = list(spec["availabilityZones"])
    if "osDiskSizeGB" in pool:
        fields["os_disk_size_gb"] = pool["osDiskSizeGB"]
    if pool.get("spot", False):
        fields.update(scale_set_priority="Spot", scale_set_eviction_policy="Delete", spot_max_price=-1.0)
    return aks.ManagedClusterAgentPoolProfile(**fields)


def build_network_profile(network: dict[str, Any]) -> aks.ContainerServiceNetworkProfile:
    return aks.ContainerServiceNetworkProfile(
        network_plugin=network["plugin"],
        network_plugin_mode=network["pluginMode"],
        network_policy=network["policy"],
        network_dataplane=network["dataplane"],
        pod_cidr=network["podCidr"],
        service_cidr=network["serviceCidr"],
        dns_service_ip=network["dnsServiceIp"],
        outbound_type=network["outboundType"],
        load_balancer_sku="standard",
    )


def build_api_server_access(api_server: dict[str, Any]) -> aks.ManagedClusterAPIServerAccessProfile:
    if api_server["private"]:
        return aks.ManagedClusterAPIServerAccessProfile(enable_private_cluster=True)
    return aks.ManagedClusterAPIServerAccessProfile(
        enable_private_cluster=False, authorized_ip_ranges=list(api_server.get("authorizedIpRanges", []))
    )


def log_analytics_workspace_id(spec: dict[str, Any]) -> str:
    workspace = spec["monitoring"]["logAnalyticsWorkspace"]
    return (
        f"/subscriptions/{spec['subscriptionId']}/resourceGroups/{workspace['resourceGroup']}"
        f"/providers/Microsoft.OperationalInsights/workspaces/{workspace['name']}"
    )


def build_addons(spec: dict[str, Any]) -> dict[str, aks.ManagedClusterAddonProfile]:
    secrets_provider = spec["keyVault"]["secretsProvider"]
    key_vault_config = {"enableSecretRotation": "true" if "rotationPollInterval" in secrets_provider else "false"}
    if "rotationPollInterval" in secrets_provider:
        key_vault_config["rotationPollInterval"] = secrets_provider["rotationPollInterval"]
    addons = {
        ADDON_POLICY: aks.ManagedClusterAddonProfile(enabled=spec["azurePolicy"]["enabled"], config={"version": "v2"}),
        ADDON_KEY_VAULT: aks.ManagedClusterAddonProfile(enabled=secrets_provider["enabled"], config=key_vault_config),
    }
    if spec["monitoring"]["containerInsights"]:
        addons[ADDON_CONTAINER_INSIGHTS] = aks.ManagedClusterAddonProfile(
            enabled=True,
            config={"logAnalyticsWorkspaceResourceID": log_analytics_workspace_id(spec), "useAADAuth": "true"},
        )
    return addons


def build_maintenance(window: dict[str, Any]) -> aks.MaintenanceConfiguration:
    return aks.MaintenanceConfiguration(
        maintenance_window=aks.MaintenanceWindow(
            schedule=aks.Schedule(weekly=aks.WeeklySchedule(interval_weeks=1, day_of_week=window["dayOfWeek"])),
            duration_hours=window["durationHours"],
            start_time=window["startTime"],
            utc_offset=window["utcOffset"],
        )
    )


def build_policy_assignment(spec: dict[str, Any], cluster_id: str, env: str) -> ChildResource:
    initiative = spec["azurePolicy"]["initiative"]
    body = {
        "properties": {
            "displayName": f"{initiative['name']} ({env})",
            "policyDefinitionId": initiative["definitionId"],
            "enforcementMode": "Default",
            "parameters": {
                "effect": {"value": initiative["effect"]},
                "excludedNamespaces": {"value": list(initiative["excludedNamespaces"])},
                # namespaces, allowedCapabilities, requiredDropCapabilities: the set's defaults unless given
                **{key: {"value": list(value)} for key, value in (initiative.get("parameters") or {}).items()},
            },
        }
    }
    return ChildResource(name=initiative["name"], scope=cluster_id, collection=POLICY_ASSIGNMENTS, body=body)


def build_public_ip(spec: dict[str, Any]) -> PlainResource:
    """Static, zone-redundant Standard public IP: AKS' Standard load balancer only takes Standard SKU IPs."""
    public_ip = spec["ingress"]["publicIp"]
    path = (
        f"/subscriptions/{spec['subscriptionId']}/resourceGroups/{public_ip['resourceGroup']}"
        f"/providers/Microsoft.Network/publicIPAddresses/{public_ip['name']}"
    )
    body = {
        "location": spec["location"],
        "sku": {"name": "Standard", "tier": "Regional"},
        "zones": list(spec["availabilityZones"]),
        "properties": {"publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4"},
        "tags": dict(spec["tags"]),
    }
    return PlainResource(public_ip["name"], path, PUBLIC_IP_API_VERSION, body)


def build_cache_rules(registry: dict[str, Any]) -> tuple[ChildResource, ...]:
    return tuple(
        ChildResource(
            name=rule["name"],
            scope=registry["resourceId"],
            collection=CACHE_RULES,
            body={"properties": {"sourceRepository": rule["source"], "targetRepository": rule["target"]}},
        )
        for rule in registry.get("cacheRules", [])
    )
