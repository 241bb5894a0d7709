"""Each seeded fixture yields exactly the one reachability finding that names it, and its fix clears it."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from platformctl.reachability.catalogue import ComponentFlows, Network, build, provided_endpoints
from platformctl.references.provided import Provided

from .conftest import CASES, FIXTURES, applications, cluster, load_case, replace_objects, run


@pytest.mark.parametrize("case", CASES)
def test_fixture_yields_exactly_its_finding(case: str) -> None:
    expected = load_case(case)["expect"]
    findings = run(applications(case))
    assert [f.name for f in findings] == [expected["name"]], [f.one_line() for f in findings]
    finding = findings[0]
    assert finding.gate == "reachability" and finding.severity == "error" and finding.fix
    for part in expected["message"]:
        assert part in finding.message, finding.message


def _with_policy(case: str, app: str, policy: dict[str, Any]) -> list:
    apps = applications(case)
    target = next(a for a in apps if a.name == app)
    return replace_objects(apps, app, [*target.objects, policy])


def _network_policy(namespace: str, name: str, spec: dict) -> dict:
    metadata = {"name": name, "namespace": namespace}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": metadata, "spec": spec}


def _egress_policy(namespace: str, name: str, selector: dict, egress: list, kind: str = "NetworkPolicy") -> dict:
    if kind == "NetworkPolicy":
        return _network_policy(namespace, name, {"podSelector": selector, "policyTypes": ["Egress"], "egress": egress})
    return {"apiVersion": "cilium.io/v2", "kind": kind, "metadata": {"name": name, "namespace": namespace},
            "spec": {"endpointSelector": selector, "egress": egress}}  # fmt: skip


DB_RULE = [{"to": [{"ipBlock": {"cidr": "10.225.0.0/28"}}], "ports": [{"port": 5432}]}]
PROMETHEUS = {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}


def test_database_egress_allowed_by_an_ipblock_of_its_subnet() -> None:
    policy = _egress_policy("data", "allow-db", {"matchLabels": {"app.kubernetes.io/name": "api"}}, DB_RULE)
    assert run(_with_policy("database-egress", "api", policy)) == []


def test_database_egress_on_another_port_or_protocol_stays_denied() -> None:
    rule = [{"to": [{"ipBlock": {"cidr": "10.225.0.0/28"}}], "ports": [{"port": 5432, "protocol": "UDP"}]}]
    policy = _egress_policy("data", "allow-db", {}, rule)
    assert len(run(_with_policy("database-egress", "api", policy))) == 1


def test_port_range_endport_allows_the_database() -> None:
    rule = [{"to": [{"ipBlock": {"cidr": "10.225.0.0/24"}}], "ports": [{"port": 5000, "endPort": 6000}]}]
    assert run(_with_policy("database-egress", "api", _egress_policy("data", "range", {}, rule))) == []


def test_node_scrape_ipblock_of_node_cidr_is_denied_under_cilium_and_allowed_elsewhere() -> None:
    rule = [{"to": [{"ipBlock": {"cidr": "10.224.0.0/16"}}], "ports": [{"port": 9100}]}]
    apps = _with_policy("node-scrape-namespace-selector", "exporter",
                        _egress_policy("monitoring", "nodes", PROMETHEUS, rule))  # fmt: skip
    findings = run(apps)
    assert len(findings) == 1 and "an ipBlock cannot select node addresses" in findings[0].message
    assert run(apps, policy="calico") == []


def test_node_scrape_allowed_by_a_port_rule_without_to() -> None:
    rule = [{"ports": [{"port": 9100}]}]
    policy = _egress_policy("monitoring", "nodes", PROMETHEUS, rule)
    assert run(_with_policy("node-scrape-namespace-selector", "exporter", policy)) == []


def test_cilium_entities_host_and_remote_node_allow_the_kubelet() -> None:
    rule = [{"toEntities": ["host", "remote-node"], "toPorts": [{"ports": [{"port": "10250", "protocol": "TCP"}]}]}]
    policy = _egress_policy("monitoring", "nodes", PROMETHEUS, rule, kind="CiliumNetworkPolicy")
    assert run(_with_policy("cilium-host-only", "scraper", policy)) == []


def test_cilium_egress_deny_wins_over_allow() -> None:
    policy = _egress_policy("monitoring", "nodes", PROMETHEUS, [{"toEntities": ["all"]}], kind="CiliumNetworkPolicy")
    policy["spec"]["egressDeny"] = [{"toEntities": ["remote-node"]}]
    findings = run(_with_policy("cilium-host-only", "scraper", policy))
    assert len(findings) == 1 and "remote-node" in findings[0].message


def test_webhook_opened_to_every_source_passes() -> None:
    spec = {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"ports": [{"port": "https"}]}]}
    policy = _network_policy("hooks", "open-webhook", spec)
    assert run(_with_policy("webhook-closed", "hooks", policy)) == []


def test_webhook_opened_to_the_pod_network_only_stays_closed() -> None:
    """The API server is outside the pod network: an ipBlock of the pod CIDR does not admit it."""
    ingress = [{"from": [{"ipBlock": {"cidr": "10.244.0.0/16"}}], "ports": [{"port": 10250}]}]
    policy = _network_policy("hooks", "pods-only", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": ingress})
    assert len(run(_with_policy("webhook-closed", "hooks", policy))) == 1


def test_ingress_backend_allowed_from_the_ingress_namespace() -> None:
    peer = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress"}}}
    policy = _network_policy("web", "allow-ingress", {"podSelector": {}, "ingress": [{"from": [peer]}]})
    assert run(_with_policy("ingress-backend", "web", policy)) == []


def test_missing_flows_file_in_a_policed_namespace_is_a_finding() -> None:
    from platformctl.reachability import Application

    apps = [a if a.name != "api" else Application(a.name, a.namespace, True, a.objects, a.file, "nowhere")
            for a in applications("database-egress")]  # fmt: skip
    names = [f.name for f in run(apps)]
    assert names == ["api"], names


def test_endpoint_whose_labels_match_no_rendered_pod_is_a_finding() -> None:
    apps = applications("webhook-closed")
    hooks = next(a for a in apps if a.name == "hooks")
    renamed = [
        {**obj, "spec": {**obj["spec"], "template": {**obj["spec"]["template"], "metadata": {"labels": {"app": "x"}}}}}
        if obj.get("kind") == "Deployment" else obj
        for obj in hooks.objects
    ]  # fmt: skip
    findings = run(replace_objects(apps, "hooks", renamed))
    assert any(f.name == "hooks" and "selects no pod" in f.message for f in findings), findings


def test_one_root_cause_is_one_finding() -> None:
    """Without the DNS policy, every pod of the namespace loses DNS on both protocols: one finding."""
    apps = applications("database-egress")
    api = next(a for a in apps if a.name == "api")
    worker = next(obj for obj in api.objects if obj["kind"] == "Deployment")
    worker = {**worker, "metadata": {**worker["metadata"], "name": "worker"}}
    worker["spec"] = {
        **worker["spec"],
        "template": {**worker["spec"]["template"], "metadata": {"labels": {"app": "w"}}},
    }
    objects = [obj for obj in api.objects if obj["metadata"]["name"] != "allow-dns"] + [worker]
    findings = [f for f in run(replace_objects(apps, "api", objects)) if "kube-dns" in f.message]
    assert [f.name for f in findings] == ["data/api -> kube-system/k8s-app=kube-dns:53/UDP,53/TCP"], findings
    assert "(and 1 more: pods app=w in namespace data)" in findings[0].message


def _with_scrape_jobs(jobs: str, *, encoded: bool = False) -> list:
    apps = applications("scrape-config")
    prom = next(a for a in apps if a.name == "prom")
    data = (
        {"data": {"jobs.yaml": base64.b64encode(jobs.encode()).decode()}}
        if encoded
        else {"stringData": {"jobs.yaml": jobs}}
    )
    secret = next(o for o in prom.objects if o["kind"] == "Secret")
    secret = {key: value for key, value in secret.items() if key not in ("data", "stringData")}
    objects = [obj for obj in prom.objects if obj["kind"] != "Secret"] + [{**secret, **data}]
    return replace_objects(apps, "prom", objects)


def test_scrape_config_secret_data_is_base64_as_helm_renders_it() -> None:
    jobs = "- job_name: postgres\n  static_configs: [{targets: ['10.225.0.5:9187']}]\n"
    names = [f.name for f in run(_with_scrape_jobs(jobs, encoded=True))]
    assert names == ["monitoring/prometheus -> scrape target 10.225.0.5:9187/TCP"]


def test_scrape_config_role_node_targets_the_kubelet_on_node_addresses() -> None:
    jobs = "- job_name: kubelet\n  kubernetes_sd_configs: [{role: node}]\n"
    apps = applications("scrape-config")
    prom = next(a for a in apps if a.name == "prom")
    objects = [
        {**obj, "data": {}, "stringData": {"jobs.yaml": jobs}} if obj["kind"] == "Secret" else obj
        for obj in prom.objects
    ]
    assert [f.name for f in run(replace_objects(apps, "prom", objects))] == ["monitoring/prometheus -> nodes:10250/TCP"]


def test_the_dns_endpoint_is_the_cluster_provided_coredns_declared_once() -> None:
    """kube-dns comes from platform/cluster-provided.yaml (flowEndpoint); a flows.yaml repeating it is an error."""
    network = Network.from_cluster(cluster())
    provided = provided_endpoints(Provided.load(FIXTURES), network)
    dns = provided["kube-dns"]
    assert (dns.role, dns.namespace, dns.label_map) == ("dns", "kube-system", {"k8s-app": "kube-dns"})
    assert [(p.name, p.number, p.protocol) for p in dns.ports] == [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP")]
    repeated = ComponentFlows("extra", "extra/flows.yaml", {"endpoints": {"kube-dns": {"pods": {"k8s-app": "x"}}}})
    catalogue = build([(repeated, "kube-system")], "dev", network, provided)
    assert [message for _, _, message, _ in catalogue.problems] == [
        "endpoint 'kube-dns' is declared twice (also platform/cluster-provided.yaml)"
    ]
    assert "kube-dns" in provided_endpoints(Provided.load(Path(__file__).parents[2]), network)
