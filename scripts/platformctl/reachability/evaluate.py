"""Judge one flow against the rendered policies: egress at the source AND ingress at the destination."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from platformctl.reachability.addresses import AddressSet
from platformctl.reachability.cni import NetworkModel
from platformctl.reachability.model import NODES, PODS, Endpoint, Flow
from platformctl.reachability.policies import EGRESS, INGRESS, Peer, Policy, Rule


@dataclass
class Side:
    """The verdict of one direction: which policies select the pod and what they leave out."""

    direction: str
    subject: Endpoint
    selecting: list[Policy] = field(default_factory=list)
    missing: dict[str, AddressSet] = field(default_factory=dict)  # identity -> addresses not allowed
    # Selectors that look right but select nothing under Cilium: (policy, selector, why) -> identities.
    cilium_misses: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return not any(self.missing.values())


@dataclass(frozen=True)
class Context:
    policies: Sequence[Policy]
    namespaces: Mapping[str, Mapping[str, str]]  # namespace -> its labels (kubernetes.io/metadata.name included)
    model: NetworkModel


def evaluate(flow: Flow, context: Context) -> list[Side]:
    """The directions that deny the flow (empty: allowed)."""
    denied = []
    if flow.source.kind == PODS:
        side = _side(EGRESS, flow.source, flow.destination, flow, context)
        if not side.allowed:
            denied.append(side)
    if flow.destination.kind == PODS:
        side = _side(INGRESS, flow.destination, flow.source, flow, context)
        if not side.allowed:
            denied.append(side)
    return denied


def _side(direction: str, subject: Endpoint, peer: Endpoint, flow: Flow, context: Context) -> Side:
    side = Side(direction, subject)
    side.selecting = [p for p in context.policies if p.applies(direction) and p.selects(subject, context.namespaces)]
    if not side.selecting:
        return side  # no policy of this type selects the pod: it is open in this direction
    for identity in context.model.identities(peer):
        allowed, denied = AddressSet(), AddressSet()
        for policy in side.selecting:
            allowed |= _covered(policy.rules.get(direction, ()), policy, peer, identity, flow, context, side)
            denied |= _covered(policy.deny.get(direction, ()), policy, peer, identity, flow, context, None)
        missing = peer.addresses - (allowed - denied)
        if missing:
            side.missing[identity] = missing
    return side


def _covered(
    rules: tuple[Rule, ...],
    policy: Policy,
    peer: Endpoint,
    identity: str,
    flow: Flow,
    context: Context,
    side: Side | None,
) -> AddressSet:
    """What `rules` select of the peer on the flow's port; `side` (allow rules) collects Cilium notes."""
    covered = AddressSet()
    for rule in rules:
        if not rule.port_matches(flow.port, flow.destination):
            continue
        for selector in rule.peers:
            selected = selector.covers(peer, identity, policy.namespace, context.namespaces, context.model)
            covered |= selected
            if side is not None and not selected and context.model.cilium:
                _explain_cilium(selector, peer, identity, policy, side)
    return covered


def _explain_cilium(selector: Peer, peer: Endpoint, identity: str, policy: Policy, side: Side) -> None:
    """Remember a selector that looks right but does not select the peer under Cilium."""
    if selector.block is not None and selector.block & peer.addresses:
        why = "ipblock"
    elif selector.pods and peer.kind == NODES:
        why = "pods-only"
    else:
        return
    identities = side.cilium_misses.setdefault((policy.label, selector.describe(), why), [])
    if identity not in identities:
        identities.append(identity)
