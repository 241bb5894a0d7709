"""Rules every environment's cluster.yaml must keep beyond its JSON Schema (cross-field and per-env rules).

`aks plan` and `aks apply` refuse to go on while any of these fails; tests run them on every env.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from platformctl.aks.spec import aks_cluster
from platformctl.environments import Environment
from platformctl.findings import Finding

GATE = "aks"
PROD = "prod"
#: Pools in prod keep at least this many nodes, so one node's loss or upgrade never empties a pool.
PROD_MIN_NODES = 2
PROD_MIN_ZONES = 2
#: Auto-upgrade channels that change the Kubernetes minor version by themselves.
MINOR_UPGRADING_CHANNELS = frozenset({"stable", "rapid"})
#: Taint AKS puts on spot nodes; a spot pool must declare it so only tolerating pods land there.
SPOT_TAINT = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule"
#: Domains reserved for documentation and testing (RFC 2606, RFC 6761): Let's Encrypt refuses an
#: account whose contact is there, so cert-manager would never register and no certificate is issued.
RESERVED_MAIL_DOMAINS = frozenset({"example.com", "example.net", "example.org"})
RESERVED_MAIL_TLDS = frozenset({"example", "test", "invalid", "localhost"})


def check_cluster(env: Environment) -> list[Finding]:
    spec = aks_cluster(env)["spec"]
    file = str(env.cluster_file.relative_to(env.root))
    findings: list[Finding] = []

    def fail(name: str, message: str, fix: str) -> None:
        findings.append(Finding(GATE, env.name, "", "AksCluster", name, file, message, fix))

    cluster_name = env.cluster["metadata"]["name"]
    if spec["tags"]["environment"] != env.name:
        fail(
            cluster_name,
            f"tag environment is {spec['tags']['environment']!r}",
            f"set spec.tags.environment: {env.name}",
        )
    _check_pools(spec, env.name, fail)
    _check_network(spec["network"], fail)
    if env.name == PROD:
        if len(spec["availabilityZones"]) < PROD_MIN_ZONES:
            fail(
                cluster_name,
                "prod runs in fewer than 2 availability zones",
                'set spec.availabilityZones: ["1", "2", "3"]',
            )
        if not spec["apiServer"]["private"]:
            fail(cluster_name, "prod API server is public", "set spec.apiServer.private: true")
        if spec["skuTier"] == "Free":
            fail(cluster_name, "prod control plane has no uptime SLA (Free tier)", "set spec.skuTier: Standard")
    elif spec["apiServer"].get("authorizedIpRanges") == [] and not spec["apiServer"]["private"]:
        fail(cluster_name, "public API server open to every address", "list spec.apiServer.authorizedIpRanges")
    if spec["apiServer"]["private"] and spec["apiServer"].get("authorizedIpRanges"):
        fail(cluster_name, "authorizedIpRanges do not apply to a private API server", "remove authorizedIpRanges")
    if spec["workloadIdentity"]["enabled"] and not spec["workloadIdentity"]["oidcIssuer"]:
        fail(cluster_name, "workload identity needs the OIDC issuer", "set spec.workloadIdentity.oidcIssuer: true")
    if spec["upgrade"]["channel"] in MINOR_UPGRADING_CHANNELS:
        fail(
            cluster_name,
            f"upgrade channel {spec['upgrade']['channel']} moves the cluster off the minor version "
            f"{env.kubernetes_version} the manifest gate validates against",
            "use channel: patch (or none) and bump spec.kubernetesVersion in a pull request",
        )
    _check_acme_email(spec["dns"]["acmeEmail"], fail)
    if spec["network"]["policy"] == "cilium" and spec["network"]["dataplane"] != "cilium":
        fail(cluster_name, "network policy cilium needs the cilium dataplane", "set spec.network.dataplane: cilium")
    _check_cache_rules(spec["containerRegistry"], fail)
    return findings


def _check_cache_rules(registry: dict[str, Any], fail: Any) -> None:
    """The rules go to the registry the charts pull from, one rule per name and per target repository."""
    name = registry["loginServer"].split(".", 1)[0]
    resource_id = registry.get("resourceId", "")
    if resource_id and resource_id.rsplit("/", 1)[-1].lower() != name:
        fail(
            name,
            f"containerRegistry.resourceId names another registry than {registry['loginServer']}",
            f"end spec.containerRegistry.resourceId with /registries/{name}",
        )
    rules = registry.get("cacheRules", [])
    for key in ("name", "target"):
        values = [rule[key] for rule in rules]
        for duplicate in sorted({value for value in values if values.count(value) > 1}):
            fail(name, f"two cache rules share the {key} {duplicate!r}", f"keep one cache rule per {key}")


def _check_pools(spec: dict[str, Any], env: str, fail: Any) -> None:
    pools = spec["nodePools"]
    names = [pool["name"] for pool in pools]
    for duplicate in sorted({name for name in names if names.count(name) > 1}):
        fail(duplicate, "node pool name used twice", "give every pool in spec.nodePools a unique name")
    if not any(pool["mode"] == "System" and not pool.get("spot") for pool in pools):
        fail("nodePools", "no regular (non-spot) System pool", "add a pool with mode: System")
    for pool in pools:
        name = f"nodePool/{pool['name']}"
        if pool["minCount"] > pool["maxCount"]:
            fail(name, f"minCount {pool['minCount']} > maxCount {pool['maxCount']}", "make minCount <= maxCount")
        if pool["mode"] == "System" and pool["minCount"] < 1:
            fail(name, "System pool may scale to zero", "set minCount >= 1 on System pools")
        if pool.get("spot"):
            if env == PROD:
                fail(name, "spot (evictable) pool in prod", "remove spot: true, or move batch work to a regular pool")
            if pool["mode"] == "System":
                fail(name, "System pool on spot VMs", "use mode: User for spot pools")
            if SPOT_TAINT not in pool.get("taints", []):
                fail(name, "spot pool without the spot taint", f"add taint {SPOT_TAINT}")
        if env == PROD and pool["minCount"] < PROD_MIN_NODES:
            fail(name, f"prod pool minCount {pool['minCount']} < {PROD_MIN_NODES}", f"set minCount >= {PROD_MIN_NODES}")


def _check_acme_email(email: str, fail: Any) -> None:
    domain = email.rpartition("@")[2].lower()
    if domain.rsplit(".", 1)[-1] in RESERVED_MAIL_TLDS or any(
        domain == reserved or domain.endswith("." + reserved) for reserved in RESERVED_MAIL_DOMAINS
    ):
        fail(
            "dns",
            f"spec.dns.acmeEmail {email} is on the reserved domain {domain}, which Let's Encrypt rejects",
            "set spec.dns.acmeEmail to a mailbox the platform team reads (expiry and revocation notices)",
        )


def _check_network(network: dict[str, Any], fail: Any) -> None:
    """The address plan ARM would reject: overlapping ranges, a DNS service IP outside the service range."""
    try:
        pods = ipaddress.ip_network(network["podCidr"])
        services = ipaddress.ip_network(network["serviceCidr"])
        dns = ipaddress.ip_address(network["dnsServiceIp"])
    except ValueError as error:
        fail("network", f"invalid address: {error}", "use a network address (host bits zero) in spec.network")
        return
    if pods.overlaps(services):
        fail("network", f"podCidr {pods} overlaps serviceCidr {services}", "pick non-overlapping ranges")
    if dns not in services or dns == services.network_address:
        fail("network", f"dnsServiceIp {dns} is not a usable address of serviceCidr {services}",
             f"use an address inside {services} other than its first, e.g. the 10th")  # fmt: skip
    _check_address_plan(network, {"podCidr": pods, "serviceCidr": services}, fail)


def _check_address_plan(network: dict[str, Any], ranges: dict[str, Any], fail: Any) -> None:
    """Node subnet and private endpoints (read by the reachability gate) overlap no other range."""
    named = dict(ranges)
    candidates = [("nodeCidr", network.get("nodeCidr"))]
    candidates += [
        (f"privateEndpoints.{name}", item["cidr"]) for name, item in (network.get("privateEndpoints") or {}).items()
    ]
    for field, cidr in candidates:
        if cidr is None:
            continue
        try:
            subnet = ipaddress.ip_network(cidr)
        except ValueError as error:
            fail("network", f"{field}: invalid address: {error}", "use a network address (host bits zero)")
            continue
        for other, existing in named.items():
            if subnet.overlaps(existing):
                fail("network", f"{field} {subnet} overlaps {other} {existing}", "pick non-overlapping ranges")
        named[field] = subnet
