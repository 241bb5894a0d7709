"""NetworkPolicy, CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy as one rule model.

Kubernetes semantics (networking.k8s.io/v1): a policy selects pods of its namespace by podSelector and
applies to the directions of its policyTypes (default: Ingress, plus Egress when it has egress rules);
a rule allows a peer when one of its peers selects it (none listed: every peer) on one of its ports
(none listed: every port). Cilium's own policies: endpointSelector, ingress/egress rules with
from/toEndpoints, from/toEntities, from/toCIDR(Set) and toPorts; a rule with toPorts and no peer allows
every peer, an empty rule `{}` allows nothing (Cilium's default-deny idiom); ingressDeny/egressDeny win
over allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from platformctl import selectors
from platformctl.reachability.addresses import AddressSet
from platformctl.reachability.cni import ENTITIES, NetworkModel
from platformctl.reachability.model import PODS, Endpoint, Port

INGRESS, EGRESS = "ingress", "egress"
#: The labels Cilium gives a pod for its namespace and for its namespace's labels.
CILIUM_NAMESPACE = "io.kubernetes.pod.namespace"
CILIUM_NAMESPACE_LABELS = "io.cilium.k8s.namespace.labels."
CILIUM_KINDS = ("CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy")


@dataclass(frozen=True)
class PortRule:
    protocol: str = "TCP"  # TCP | UDP | SCTP | ANY (Cilium)
    port: int | str | None = None  # None: every port of the protocol; str: a named container port
    end_port: int | None = None

    def matches(self, port: Port, destination: Endpoint) -> bool:
        if self.protocol not in ("ANY", port.protocol):
            return False
        if self.port is None:
            return True
        if isinstance(self.port, str):
            # A named port is resolved against the destination pod's container ports.
            return destination.kind == PODS and any(
                p.number == port.number and p.protocol == port.protocol for p in destination.named_port(self.port)
            )
        return self.port <= port.number <= (self.end_port or self.port)

    def describe(self) -> str:
        if self.port is None:
            return f"any {self.protocol} port"
        span = f"{self.port}-{self.end_port}" if self.end_port else str(self.port)
        return f"{span}/{self.protocol}"


@dataclass(frozen=True)
class Peer:
    """One selector of a rule: pods (podSelector/namespaceSelector), an ipBlock, Cilium entities, or all."""

    wildcard: bool = False
    pods: bool = False
    pod_selector: Mapping[str, Any] | None = None
    namespace_selector: Mapping[str, Any] | None = None  # None: the policy's own namespace
    cilium_selector: Mapping[str, Any] | None = None  # a Cilium endpoint selector (namespace as a label)
    block: AddressSet | None = None
    block_text: str = ""
    entities: frozenset[str] = frozenset()

    def covers(
        self,
        peer: Endpoint,
        identity: str,
        policy_namespace: str | None,
        namespaces: Mapping[str, Mapping[str, str]],
        model: NetworkModel,
    ) -> AddressSet:
        """The addresses of `peer` (with this identity) that this selector selects."""
        if self.wildcard:
            return peer.addresses
        if self.block is not None:
            return self.block & peer.addresses if model.ip_block_selects(identity) else AddressSet()
        if self.entities:
            selected = set().union(*(ENTITIES.get(entity, frozenset()) for entity in self.entities))
            return peer.addresses if identity in selected else AddressSet()
        if not self.pods or identity != "pod":
            return AddressSet()
        labels = peer.label_map
        namespace_labels = namespaces.get(peer.namespace, {"kubernetes.io/metadata.name": peer.namespace})
        if self.cilium_selector is not None:
            return (
                peer.addresses
                if _cilium_selects(self.cilium_selector, labels, peer.namespace, namespace_labels, policy_namespace)
                else AddressSet()
            )
        if self.namespace_selector is None:
            in_namespace = peer.namespace == policy_namespace
        else:
            in_namespace = selectors.matches(self.namespace_selector, namespace_labels)
        return peer.addresses if in_namespace and selectors.matches(self.pod_selector, labels) else AddressSet()

    def describe(self) -> str:
        if self.wildcard:
            return "any peer"
        if self.block is not None:
            return f"ipBlock {self.block_text}"
        if self.entities:
            return "entities " + ",".join(sorted(self.entities))
        if self.cilium_selector is not None:
            return f"endpoints {selectors.describe(self.cilium_selector)}"
        parts = []
        if self.namespace_selector is not None:
            parts.append(f"namespaceSelector {selectors.describe(self.namespace_selector)}")
        if self.pod_selector is not None:
            parts.append(f"podSelector {selectors.describe(self.pod_selector)}")
        return " + ".join(parts)


@dataclass(frozen=True)
class Rule:
    peers: tuple[Peer, ...]
    ports: tuple[PortRule, ...] = ()  # empty: every port

    def port_matches(self, port: Port, destination: Endpoint) -> bool:
        return not self.ports or any(rule.matches(port, destination) for rule in self.ports)

    def describe(self, direction: str) -> str:
        word = "from" if direction == INGRESS else "to"
        peers = "; ".join(peer.describe() for peer in self.peers) or "nothing"
        ports = ", ".join(rule.describe() for rule in self.ports) or "any port"
        return f"{word} {peers} on {ports}"


@dataclass(frozen=True)
class Policy:
    kind: str
    name: str
    namespace: str | None  # None: cluster-wide (CiliumClusterwideNetworkPolicy)
    selector: Mapping[str, Any]
    rules: Mapping[str, tuple[Rule, ...]]  # direction -> allow rules; a missing direction is not enforced
    deny: Mapping[str, tuple[Rule, ...]] = field(default_factory=dict)
    application: str = ""
    file: str = ""

    @property
    def label(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"

    def applies(self, direction: str) -> bool:
        return direction in self.rules or direction in self.deny

    def selects(self, endpoint: Endpoint, namespaces: Mapping[str, Mapping[str, str]]) -> bool:
        if endpoint.kind != PODS:
            return False  # host-network traffic and nodes are not pods: pod policies never select them
        if self.kind in CILIUM_KINDS:
            namespace_labels = namespaces.get(endpoint.namespace, {})
            return _cilium_selects(
                self.selector, endpoint.label_map, endpoint.namespace, namespace_labels, self.namespace
            )
        return endpoint.namespace == self.namespace and selectors.matches(self.selector, endpoint.label_map)


def parse_policies(obj: Mapping[str, Any], application: str, file: str, default_namespace: str) -> list[Policy]:
    """The policies of one rendered object (none when it is not a policy)."""
    kind = obj.get("kind")
    metadata = obj.get("metadata") or {}
    if kind == "NetworkPolicy":
        return [_network_policy(obj, metadata.get("namespace") or default_namespace, application, file)]
    if kind in CILIUM_KINDS:
        namespace = None if kind == "CiliumClusterwideNetworkPolicy" else metadata.get("namespace") or default_namespace
        specs = [obj["spec"]] if obj.get("spec") else []
        specs += obj.get("specs") or []
        return [
            _cilium_policy(kind, metadata.get("name", ""), namespace, spec, application, file)
            for spec in specs
            if "endpointSelector" in spec
        ]
    return []


def _network_policy(obj: Mapping[str, Any], namespace: str, application: str, file: str) -> Policy:
    spec = obj.get("spec") or {}
    types = spec.get("policyTypes") or (["Ingress"] + (["Egress"] if "egress" in spec else []))
    rules: dict[str, tuple[Rule, ...]] = {}
    for direction, peers_key in ((INGRESS, "from"), (EGRESS, "to")):
        if direction.capitalize() not in types:
            continue
        rules[direction] = tuple(
            Rule(
                tuple(_k8s_peer(peer) for peer in rule.get(peers_key) or []) or (Peer(wildcard=True),),
                tuple(_k8s_port(port) for port in rule.get("ports") or []),
            )
            for rule in spec.get(direction) or []
        )
    name = (obj.get("metadata") or {}).get("name", "")
    return Policy("NetworkPolicy", name, namespace, spec.get("podSelector") or {}, rules, {}, application, file)


def _k8s_peer(peer: Mapping[str, Any]) -> Peer:
    if "ipBlock" in peer:
        block = peer["ipBlock"] or {}
        excepts = block.get("except") or []
        text = block.get("cidr", "") + (f" except {', '.join(excepts)}" if excepts else "")
        return Peer(block=AddressSet.block(block.get("cidr", "0.0.0.0/32"), excepts), block_text=text)
    # podSelector alone: pods of the policy's namespace; with namespaceSelector: pods of those namespaces.
    return Peer(pods=True, pod_selector=peer.get("podSelector"), namespace_selector=peer.get("namespaceSelector"))


def _k8s_port(port: Mapping[str, Any]) -> PortRule:
    value = port.get("port")
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return PortRule(str(port.get("protocol") or "TCP"), value, port.get("endPort"))


def _cilium_policy(
    kind: str, name: str, namespace: str | None, spec: Mapping[str, Any], application: str, file: str
) -> Policy:
    rules: dict[str, tuple[Rule, ...]] = {}
    deny: dict[str, tuple[Rule, ...]] = {}
    for direction, prefix in ((INGRESS, "from"), (EGRESS, "to")):
        # A direction is enforced when the rule has a non-empty section for it (Cilium's default mode).
        if spec.get(direction):
            rules[direction] = tuple(_cilium_rule(rule, prefix) for rule in spec.get(direction) or [])
        if spec.get(f"{direction}Deny"):
            deny[direction] = tuple(_cilium_rule(rule, prefix) for rule in spec.get(f"{direction}Deny") or [])
    return Policy(kind, name, namespace, spec.get("endpointSelector") or {}, rules, deny, application, file)


def _cilium_rule(rule: Mapping[str, Any], prefix: str) -> Rule:
    peers: list[Peer] = [Peer(pods=True, cilium_selector=sel or {}) for sel in rule.get(f"{prefix}Endpoints") or []]
    if rule.get(f"{prefix}Entities"):
        peers.append(Peer(entities=frozenset(rule[f"{prefix}Entities"])))
    for cidr in rule.get(f"{prefix}CIDR") or []:
        peers.append(Peer(block=AddressSet.of(cidr), block_text=cidr))
    for item in rule.get(f"{prefix}CIDRSet") or []:
        excepts = item.get("except") or []
        text = item.get("cidr", "") + (f" except {', '.join(excepts)}" if excepts else "")
        peers.append(Peer(block=AddressSet.block(item.get("cidr", "0.0.0.0/32"), excepts), block_text=text))
    ports = tuple(
        PortRule(str(p.get("protocol") or "ANY"), _cilium_port(p.get("port")), p.get("endPort"))
        for item in rule.get("toPorts") or []
        for p in item.get("ports") or []
    )
    if not peers and ports:
        peers = [Peer(wildcard=True)]  # L4-only rule: every peer on these ports
    return Rule(tuple(peers), ports)  # no peer and no port: `{}` allows nothing


def _cilium_port(value: Any) -> int | str | None:
    text = str(value) if value is not None else "0"
    if text.isdigit():
        return int(text) or None  # "0": every port
    return text


def _cilium_selects(
    selector: Mapping[str, Any],
    labels: Mapping[str, str],
    namespace: str,
    namespace_labels: Mapping[str, str],
    policy_namespace: str | None,
) -> bool:
    """A Cilium endpoint selector: label keys may carry a source prefix (`k8s:`); the namespace is a label.

    In a namespaced policy a selector that does not name a namespace is pinned to the policy's.
    """
    plain = _strip_prefixes(selector)
    names_namespace = CILIUM_NAMESPACE in (plain.get("matchLabels") or {}) or any(
        expr.get("key") == CILIUM_NAMESPACE for expr in plain.get("matchExpressions") or []
    )
    if policy_namespace is not None and not names_namespace and namespace != policy_namespace:
        return False
    virtual = dict(labels)
    virtual[CILIUM_NAMESPACE] = namespace
    virtual.update({CILIUM_NAMESPACE_LABELS + key: value for key, value in namespace_labels.items()})
    return selectors.matches(plain, virtual)


def _strip_prefixes(selector: Mapping[str, Any]) -> dict[str, Any]:
    def strip(key: str) -> str:
        source, _, rest = key.partition(":")
        return rest if rest and source in ("k8s", "any") else key

    return {
        "matchLabels": {strip(k): v for k, v in (selector.get("matchLabels") or {}).items()},
        "matchExpressions": [
            dict(expr, key=strip(expr.get("key", ""))) for expr in selector.get("matchExpressions") or []
        ],
    }
