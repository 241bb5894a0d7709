"""The committed flow catalogue: `<values folder>/flows.yaml` of every component, and the network facts
of `clusters/<env>/cluster.yaml` it refers to.

A component brings its flows with its values (a new component, a new flows.yaml; `platformctl new-app`
writes one). A file declares the component's endpoints (its pods by namespace and labels, as its chart
labels them, so a flow is checked offline even when the chart is not rendered) and the flows it needs:

    endpoints:
      grafana: {pods: {app.kubernetes.io/name: grafana}, ports: {grafana: 3000}}   # namespace: the component's
    flows:
      - {name: database, from: grafana, to: {privateEndpoint: postgresql}, envs: [prod], why: ...}

`from`/`to`: an endpoint of any component, `nodes` (node addresses: kubelet, hostNetwork pods), `public`
(every public address), `api-server`, or `{privateEndpoint: NAME}` (spec.network.privateEndpoints of
cluster.yaml: its CIDR, and its port unless the flow lists `ports`). An endpoint with a `role`
(ingress-controller, prometheus, dns) is also the source or destination of the flows the gate derives
from the rendered objects (Ingress backends, scrape targets, DNS of every workload).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from platformctl.reachability.addresses import PUBLIC, AddressSet
from platformctl.reachability.model import API_SERVER, EXTERNAL, NODES, PODS, Endpoint, Flow, Port
from platformctl.references.inventory import CLUSTER
from platformctl.references.provided import PROVIDED_FILE, Provided

FLOWS_FILE = "flows.yaml"
SCHEMA = json.loads((Path(__file__).with_name("flows.schema.json")).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class PrivateEndpoint:
    name: str
    cidr: str
    port: int


@dataclass
class Network:
    """spec.network of cluster.yaml, as the gate needs it."""

    engine: str  # cilium | azure | calico; "" when cluster.yaml declares no network (plain Kubernetes)
    pod_cidr: str | None
    service_cidr: str | None
    node_cidr: str | None
    private_endpoints: dict[str, PrivateEndpoint] = field(default_factory=dict)

    @classmethod
    def from_cluster(cls, cluster: dict[str, Any]) -> Network:
        network = (cluster.get("spec") or {}).get("network")
        if not network:
            return cls("", None, None, None)
        endpoints = {
            name: PrivateEndpoint(name, item["cidr"], int(item["port"]))
            for name, item in (network.get("privateEndpoints") or {}).items()
        }
        return cls(network["policy"], network["podCidr"], network["serviceCidr"], network.get("nodeCidr"), endpoints)

    @property
    def pods(self) -> AddressSet:
        # Undeclared ranges are unknown: any address (only an ipBlock covering everything selects them).
        return AddressSet.of(self.pod_cidr) if self.pod_cidr else AddressSet.everything()

    @property
    def nodes(self) -> AddressSet:
        if self.node_cidr:
            return AddressSet.of(self.node_cidr)
        known = [cidr for cidr in (self.pod_cidr, self.service_cidr) if cidr]
        return AddressSet.everything() - AddressSet.of(*known)

    def builtin(self, name: str) -> Endpoint | None:
        if name == "nodes":
            return Endpoint("node addresses (kubelet, hostNetwork pods)", NODES, addresses=self.nodes)
        if name == "public":
            return Endpoint("public addresses", EXTERNAL, addresses=PUBLIC)
        if name == "api-server":
            # The AKS API server runs outside the cluster; its address is not declared: anything but pods.
            outside = (
                AddressSet.everything() - AddressSet.of(self.pod_cidr) if self.pod_cidr else AddressSet.everything()
            )
            return Endpoint("the API server", API_SERVER, addresses=outside)
        return None


@dataclass
class ComponentFlows:
    component: str  # also the Application its findings are reported on
    file: str  # repository-relative
    document: dict[str, Any]


@dataclass
class Catalogue:
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    endpoint_files: dict[str, str] = field(default_factory=dict)
    endpoint_owner: dict[str, str] = field(default_factory=dict)  # endpoint -> component declaring it
    runtime_only: set[str] = field(default_factory=set)  # pods created at run time (kube-dns, Prometheus)
    flows: list[Flow] = field(default_factory=list)
    problems: list[tuple[str, str, str, str]] = field(default_factory=list)  # (application, file, message, fix)

    def role(self, role: str) -> list[Endpoint]:
        return [endpoint for endpoint in self.endpoints.values() if endpoint.role == role]


def load_component(path: Path, component: str, base: Path) -> ComponentFlows | None:
    file = path / FLOWS_FILE
    if not file.is_file():
        return None
    document = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    return ComponentFlows(component, file.relative_to(base).as_posix(), document)


def provided_endpoints(provided: Provided, network: Network) -> dict[str, Endpoint]:
    """The pods the cluster provides that flows reach, by their `flowEndpoint` name (kube-dns: role dns).

    They are declared once, with their labels and ports, in platform/cluster-provided.yaml, which the
    references gate reads too; no component's flows.yaml repeats them.
    """
    endpoints: dict[str, Endpoint] = {}
    for entry in provided.objects:
        declared = entry.get("flowEndpoint")
        if entry.get("kind") != "Pod" or not declared:
            continue
        ports = tuple(
            Port(int(port["containerPort"]), str(port.get("protocol", "TCP")), str(port.get("name", "")))
            for port in entry.get("ports") or []
        )
        namespace = str(entry.get("namespace") or "")
        labels = tuple(sorted((str(k), str(v)) for k, v in (entry.get("labels") or {}).items()))
        name, role = str(declared["name"]), str(declared.get("role", ""))
        endpoints[name] = Endpoint(f"{namespace}/{name}", PODS, namespace, labels, network.pods, ports, role)
    return endpoints


def build(
    components: list[tuple[ComponentFlows, str]],
    env: str,
    network: Network,
    provided: dict[str, Endpoint] | None = None,
) -> Catalogue:
    """Endpoints first (flows may name any component's), then flows; `components` pairs each file with
    its component's namespace; `provided` are the cluster's own endpoints (`provided_endpoints`)."""
    catalogue = Catalogue()
    for name, endpoint in (provided or {}).items():
        catalogue.endpoints[name] = endpoint
        catalogue.endpoint_files[name] = PROVIDED_FILE
        catalogue.endpoint_owner[name] = CLUSTER
        catalogue.runtime_only.add(name)
    valid: list[ComponentFlows] = []
    for flows, namespace in components:
        errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(flows.document), key=lambda e: list(e.path))
        if errors:
            where = "/".join(str(p) for p in errors[0].path) or "(top)"
            catalogue.problems.append(
                (
                    flows.component,
                    flows.file,
                    f"{flows.file}: {where}: {errors[0].message}",
                    "make it match scripts/platformctl/reachability/flows.schema.json",
                )
            )
            continue
        valid.append(flows)
        for name, item in (flows.document.get("endpoints") or {}).items():
            if name in catalogue.endpoints or network.builtin(name):
                catalogue.problems.append(
                    (
                        flows.component,
                        flows.file,
                        f"endpoint {name!r} is declared twice (also {catalogue.endpoint_files.get(name, 'built in')})",
                        "give endpoints names unique across every flows.yaml",
                    )
                )
                continue
            catalogue.endpoints[name] = _endpoint(name, item, namespace, network)
            catalogue.endpoint_files[name] = flows.file
            catalogue.endpoint_owner[name] = flows.component
            if item.get("createdAtRuntime"):
                catalogue.runtime_only.add(name)
    for flows in valid:
        for item in flows.document.get("flows") or []:
            if item.get("envs") and env not in item["envs"]:
                continue
            catalogue.flows += _flows(item, flows, catalogue, network)
    return catalogue


def _endpoint(name: str, item: dict[str, Any], namespace: str, network: Network) -> Endpoint:
    ports = tuple(_port(value, port_name) for port_name, value in (item.get("ports") or {}).items())
    return Endpoint(
        f"{item.get('namespace', namespace)}/{name}",
        PODS,
        item.get("namespace", namespace),
        tuple(sorted((str(k), str(v)) for k, v in item["pods"].items())),
        network.pods,
        ports,
        item.get("role", ""),
    )


def _flows(item: dict[str, Any], flows: ComponentFlows, catalogue: Catalogue, network: Network) -> list[Flow]:
    source = _resolve(item["from"], flows, catalogue, network, item["name"])
    destination = _resolve(item["to"], flows, catalogue, network, item["name"])
    if source is None or destination is None:
        return []
    ports = [_port(value) for value in item.get("ports") or []]
    if not ports and isinstance(item["to"], dict):
        ports = [Port(network.private_endpoints[item["to"]["privateEndpoint"]].port)]
    if not ports:
        catalogue.problems.append(
            (
                flows.component,
                flows.file,
                f"flow {item['name']!r} lists no port",
                "add `ports` (e.g. [5432] or [53/UDP])",
            )
        )
        return []
    why = f"{item['name']}: {item['why']}" if item.get("why") else item["name"]
    out = []
    for port in ports:
        named = [p for p in destination.ports if p.number == port.number and p.protocol == port.protocol]
        out.append(Flow(source, destination, named[0] if named else port, why, flows.component, flows.file))
    return out


def _resolve(ref: Any, flows: ComponentFlows, catalogue: Catalogue, network: Network, flow: str) -> Endpoint | None:
    if isinstance(ref, dict):
        name = ref["privateEndpoint"]
        endpoint = network.private_endpoints.get(name)
        if endpoint is None:
            catalogue.problems.append(
                (
                    flows.component,
                    flows.file,
                    f"flow {flow!r} needs private endpoint {name!r}, which cluster.yaml does not declare",
                    f"declare spec.network.privateEndpoints.{name} (cidr, port) in clusters/<env>/cluster.yaml",
                )
            )
            return None
        return Endpoint(f"private endpoint {name} ({endpoint.cidr})", EXTERNAL, addresses=AddressSet.of(endpoint.cidr))
    endpoint = network.builtin(ref) or catalogue.endpoints.get(ref)
    if endpoint is None:
        catalogue.problems.append(
            (
                flows.component,
                flows.file,
                f"flow {flow!r} names endpoint {ref!r}, which no flows.yaml declares",
                "declare it under `endpoints` of its component's flows.yaml, or use nodes, public, api-server",
            )
        )
    return endpoint


def _port(value: Any, name: str = "") -> Port:
    number, _, protocol = str(value).partition("/")
    return Port(int(number), protocol or "TCP", name)
