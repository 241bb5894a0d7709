"""cluster.yaml -> ManagedCluster: every env's model checked field by field, and the per-env invariants."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import kubernetes_validate.utils
import pytest
import yaml

from platformctl.aks.invariants import check_cluster
from platformctl.aks.model import ADDON_CONTAINER_INSIGHTS, ADDON_KEY_VAULT, ADDON_POLICY, build_cluster_request
from platformctl.environments import Environment, get_environment, list_environments

ENVIRONMENTS = ["dev", "staging", "prod"]
RESTRICTED_POD_SECURITY = "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00"


@pytest.fixture(params=ENVIRONMENTS)
def env(request: pytest.FixtureRequest, repo_root: Path) -> Environment:
    return get_environment(request.param, repo_root)


def test_model_matches_cluster_yaml_field_by_field(env: Environment) -> None:
    spec = env.cluster["spec"]
    cluster = build_cluster_request(env).managed_cluster
    assert cluster.location == spec["location"]
    assert cluster.tags == spec["tags"]
    assert cluster.sku.tier == spec["skuTier"]
    assert cluster.kubernetes_version == spec["kubernetesVersion"]
    assert cluster.dns_prefix == env.cluster["metadata"]["name"]
    assert cluster.disable_local_accounts is spec["entra"]["disableLocalAccounts"]
    assert cluster.api_server_access_profile.enable_private_cluster is spec["apiServer"]["private"]
    if not spec["apiServer"]["private"]:
        assert cluster.api_server_access_profile.authorized_ip_ranges == spec["apiServer"]["authorizedIpRanges"]

    network = spec["network"]
    profile = cluster.network_profile
    assert (profile.network_plugin, profile.network_plugin_mode) == (network["plugin"], "overlay")
    assert (profile.network_policy, profile.network_dataplane) == (network["policy"], network["dataplane"])
    assert (profile.pod_cidr, profile.service_cidr, profile.dns_service_ip) == (
        network["podCidr"],
        network["serviceCidr"],
        network["dnsServiceIp"],
    )

    aad = cluster.aad_profile
    assert aad.managed and aad.enable_azure_rbac is spec["entra"]["azureRbac"]
    assert aad.tenant_id == spec["entra"]["tenantId"]
    assert aad.admin_group_object_i_ds == [spec["entra"]["groups"]["admins"]]
    assert cluster.oidc_issuer_profile.enabled is spec["workloadIdentity"]["oidcIssuer"]
    assert cluster.security_profile.workload_identity.enabled is spec["workloadIdentity"]["enabled"]

    addons = cluster.addon_profiles
    assert addons[ADDON_POLICY].enabled is True
    assert addons[ADDON_KEY_VAULT].enabled is spec["keyVault"]["secretsProvider"]["enabled"]
    workspace = spec["monitoring"]["logAnalyticsWorkspace"]
    workspace_id = addons[ADDON_CONTAINER_INSIGHTS].config["logAnalyticsWorkspaceResourceID"]
    assert workspace_id.endswith(f"/resourceGroups/{workspace['resourceGroup']}/providers/"
                                 f"Microsoft.OperationalInsights/workspaces/{workspace['name']}")  # fmt: skip
    assert cluster.azure_monitor_profile.metrics.enabled is spec["monitoring"]["managedPrometheus"]
    assert cluster.auto_upgrade_profile.upgrade_channel == spec["upgrade"]["channel"]
    assert cluster.auto_upgrade_profile.node_os_upgrade_channel == spec["upgrade"]["nodeOsChannel"]


def test_node_pools_match_cluster_yaml(env: Environment) -> None:
    spec = env.cluster["spec"]
    profiles = {p.name: p for p in build_cluster_request(env).managed_cluster.agent_pool_profiles}
    assert list(profiles) == [pool["name"] for pool in spec["nodePools"]]
    for pool in spec["nodePools"]:
        profile = profiles[pool["name"]]
        assert (profile.mode, profile.vm_size) == (pool["mode"], pool["vmSize"])
        assert profile.enable_auto_scaling is True
        assert (profile.min_count, profile.max_count, profile.count) == (
            pool["minCount"],
            pool["maxCount"],
            pool["minCount"],
        )
        assert profile.node_labels == pool.get("labels", {})
        assert profile.node_taints == pool.get("taints", [])
        assert (profile.availability_zones or []) == spec["availabilityZones"]
        assert profile.orchestrator_version == spec["kubernetesVersion"]
        assert (profile.scale_set_priority == "Spot") is bool(pool.get("spot"))


def test_upgrade_window_and_restricted_pod_security_policy(env: Environment) -> None:
    spec = env.cluster["spec"]
    request = build_cluster_request(env)
    window = request.maintenance.maintenance_window
    declared = spec["upgrade"]["maintenanceWindow"]
    assert window.schedule.weekly.day_of_week == declared["dayOfWeek"]
    assert (window.start_time, window.duration_hours, window.utc_offset) == (
        declared["startTime"],
        declared["durationHours"],
        declared["utcOffset"],
    )
    assignment = request.policy_assignment
    assert assignment.scope == request.cluster_id
    assert assignment.body["properties"]["policyDefinitionId"] == RESTRICTED_POD_SECURITY
    assert assignment.body["properties"]["parameters"]["effect"] == {"value": "deny"}


def test_request_bodies_are_the_sdk_serialisation(env: Environment) -> None:
    request = build_cluster_request(env)
    cluster_body = request.bodies()[f"PUT {request.cluster_id}"]
    properties = cluster_body["properties"]
    assert properties["networkProfile"]["networkPluginMode"] == "overlay"
    assert properties["aadProfile"]["adminGroupObjectIDs"] == [env.cluster["spec"]["entra"]["groups"]["admins"]]
    assert properties["securityProfile"]["workloadIdentity"] == {"enabled": True}
    assert "provisioningState" not in properties


def test_every_environment_keeps_its_invariants(env: Environment) -> None:
    assert check_cluster(env) == []


def test_prod_invariants(repo_root: Path) -> None:
    spec = get_environment("prod", repo_root).cluster["spec"]
    assert len(spec["availabilityZones"]) >= 2
    assert spec["apiServer"]["private"] is True
    assert all(pool["minCount"] >= 2 for pool in spec["nodePools"])
    assert not any(pool.get("spot") for pool in spec["nodePools"])


def test_non_prod_has_a_spot_pool_for_batch_work(repo_root: Path) -> None:
    for name in ("dev", "staging"):
        spec = get_environment(name, repo_root).cluster["spec"]
        assert any(pool.get("spot") and pool["mode"] == "User" for pool in spec["nodePools"]), name


def test_autoscaler_bounds_consistent_everywhere(repo_root: Path) -> None:
    for env in list_environments(repo_root):
        for pool in env.cluster["spec"]["nodePools"]:
            assert 0 <= pool["minCount"] <= pool["maxCount"], (env.name, pool["name"])


def test_kubernetes_version_is_the_one_the_manifest_gate_validates(env: Environment) -> None:
    """The gate validates at Environment.kubernetes_version; AKS gets spec.kubernetesVersion: same minor."""
    cluster = build_cluster_request(env).managed_cluster
    gate_version = env.kubernetes_version
    assert ".".join(cluster.kubernetes_version.split(".")[:2]) == gate_version
    assert all(p.orchestrator_version == cluster.kubernetes_version for p in cluster.agent_pool_profiles)
    assert gate_version in {kubernetes_validate.utils.major_minor(v) for v in kubernetes_validate.utils.all_versions()}


def _mutated(tmp_path: Path, repo_root: Path, env_name: str, change: Any) -> Environment:
    shutil.copytree(repo_root / "clusters", tmp_path / "clusters")
    path = tmp_path / "clusters" / env_name / "cluster.yaml"
    document = yaml.safe_load(path.read_text())
    change(document["spec"])
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return get_environment(env_name, tmp_path)


@pytest.mark.parametrize(
    ("env_name", "change", "expected"),
    [
        ("prod", lambda s: s.update(availabilityZones=["1"]), "fewer than 2 availability zones"),
        ("prod", lambda s: s["apiServer"].update(private=False), "prod API server is public"),
        ("prod", lambda s: s["nodePools"][1].update(minCount=1), "prod pool minCount 1 < 2"),
        ("prod", lambda s: s["nodePools"][1].update(spot=True), "spot (evictable) pool in prod"),
        ("dev", lambda s: s["nodePools"][1].update(minCount=9), "minCount 9 > maxCount 4"),
        ("dev", lambda s: s["nodePools"][0].update(minCount=0), "System pool may scale to zero"),
        ("dev", lambda s: s["nodePools"][2].update(taints=[]), "spot pool without the spot taint"),
        ("dev", lambda s: s["tags"].update(environment="prod"), "tag environment is 'prod'"),
        ("staging", lambda s: s["workloadIdentity"].update(oidcIssuer=False), "workload identity needs the OIDC"),
        ("prod", lambda s: s["upgrade"].update(channel="stable"), "moves the cluster off the minor version 1.34"),
        ("dev", lambda s: s["network"].update(serviceCidr="10.244.0.0/24"), "podCidr 10.244.0.0/16 overlaps"),
        ("dev", lambda s: s["network"].update(dnsServiceIp="10.1.0.10"), "dnsServiceIp 10.1.0.10 is not a usable"),
        ("dev", lambda s: s["network"].update(podCidr="10.244.0.1/16"), "invalid address"),
        ("dev", lambda s: s["network"].update(nodeCidr="10.244.0.0/24"), "nodeCidr 10.244.0.0/24 overlaps podCidr"),
        (
            "prod",
            lambda s: s["network"]["privateEndpoints"]["postgresql"].update(cidr="10.224.1.0/28"),
            "privateEndpoints.postgresql 10.224.1.0/28 overlaps nodeCidr",
        ),
        ("prod", lambda s: s["dns"].update(acmeEmail="platform-team@example.com"), "which Let's Encrypt rejects"),
        ("dev", lambda s: s["dns"].update(acmeEmail="ops@corp.test"), "reserved domain corp.test"),
    ],
)
def test_broken_invariant_is_reported_with_file_and_fix(
    tmp_path: Path, repo_root: Path, env_name: str, change: Any, expected: str
) -> None:
    findings = check_cluster(_mutated(tmp_path, repo_root, env_name, change))
    assert any(expected in f.message for f in findings), [f.one_line() for f in findings]
    assert all(f.file == f"clusters/{env_name}/cluster.yaml" and f.fix for f in findings)


def test_schema_rejects_unknown_field_naming_it(tmp_path: Path, repo_root: Path) -> None:
    from platformctl.errors import PlatformError

    env = _mutated(tmp_path, repo_root, "dev", lambda s: s["nodePools"][0].update(vmsize="Standard_D2s_v5"))
    with pytest.raises(PlatformError, match=r"clusters/dev/cluster.yaml: spec/nodePools/0: .*'vmsize'"):
        _ = env.cluster


def test_schema_requires_the_acme_contact(tmp_path: Path, repo_root: Path) -> None:
    from platformctl.errors import PlatformError

    env = _mutated(tmp_path, repo_root, "staging", lambda s: s["dns"].pop("acmeEmail"))
    with pytest.raises(PlatformError, match=r"clusters/staging/cluster.yaml: spec/dns: 'acmeEmail' is a required"):
        _ = env.cluster


def test_gate_only_cluster_file_is_valid_but_not_enough_for_aks(tmp_path: Path, repo_root: Path) -> None:
    """The gates need only the base facts; `platformctl aks` names the first AKS section that is missing."""
    from platformctl.errors import PlatformError

    def keep_base_facts_only(spec: dict[str, Any]) -> None:
        base = {"subscriptionId", "resourceGroup", "location", "kubernetesVersion", "entra", "keyVault"}
        for key in set(spec) - base - {"containerRegistry", "dns"}:
            del spec[key]
        spec["keyVault"].pop("secretsProvider")

    env = _mutated(tmp_path, repo_root, "staging", keep_base_facts_only)
    assert env.kubernetes_version == "1.34"
    with pytest.raises(PlatformError) as error:
        build_cluster_request(env)
    assert "clusters/staging/cluster.yaml: spec: " in str(error.value)
    assert "is a required property (needed by `platformctl aks`)" in str(error.value)
    with pytest.raises(PlatformError, match="needed by `platformctl aks`"):
        check_cluster(env)


def test_every_spec_section_is_required_by_the_gates_or_by_aks(repo_root: Path) -> None:
    schema = json.loads((repo_root / "clusters" / "cluster.schema.json").read_text())
    spec = schema["properties"]["spec"]
    aks_ready = schema["$defs"]["aksReady"]["properties"]["spec"]["required"]
    assert set(spec["required"]).isdisjoint(aks_ready)
    assert set(spec["required"]) | set(aks_ready) == set(spec["properties"])


def test_initiative_parameters_reach_the_policy_assignment(repo_root: Path, tmp_path: Path) -> None:
    """cluster.yaml's spec.azurePolicy.initiative.parameters are assigned as given; left out, the set's defaults."""
    root = tmp_path / "repo"
    shutil.copytree(repo_root / "clusters", root / "clusters")
    cluster_file = root / "clusters" / "dev" / "cluster.yaml"
    cluster = yaml.safe_load(cluster_file.read_text(encoding="utf-8"))
    cluster["spec"]["azurePolicy"]["initiative"]["parameters"] = {"requiredDropCapabilities": ["ALL"]}
    cluster_file.write_text(yaml.safe_dump(cluster), encoding="utf-8")
    parameters = build_cluster_request(get_environment("dev", root)).policy_assignment.body["properties"]["parameters"]
    assert parameters["requiredDropCapabilities"] == {"value": ["ALL"]}
    assert "allowedCapabilities" not in parameters
