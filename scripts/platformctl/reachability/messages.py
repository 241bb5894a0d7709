"""Findings of the reachability gate: who cannot reach whom on which port, which policy says no, the fix."""

from __future__ import annotations

from platformctl.findings import Finding
from platformctl.reachability.evaluate import Context, Side
from platformctl.reachability.model import API_SERVER, EXTERNAL, NODES, PODS, Endpoint, Flow
from platformctl.reachability.policies import EGRESS, Policy


def denial(gate: str, env: str, denied: list[tuple[Flow, list[Side]]], context: Context) -> Finding:
    """One finding for flows denied for the same reason: same destination, direction and policies (the DNS
    lookups of every pod of a namespace, the two protocols of a port). The first flow names it."""
    flow, sides = denied[0]
    src, dst = flow.source, flow.destination
    ports = ", ".join(dict.fromkeys(f"{f.port.number}/{f.port.protocol}" for f, _ in denied))
    shown = dict.fromkeys(f.port for f, _ in denied)
    port_text = str(flow.port) if len(shown) == 1 else ports
    also = sorted({f.source.describe() for f, _ in denied} - {src.describe()})
    sources = src.describe()
    if also:
        sources += f" (and {len(also)} more: {'; '.join(also[:3])}{'; ...' if len(also) > 3 else ''})"
    reasons = "; ".join(_reason(side, flow, port_text) for side in sides)
    message = f"{sources} cannot reach {dst.describe()} on {port_text} ({flow.why}): {reasons}"
    fix = " and ".join(_fix(side, flow, ports, context) for side in sides)
    name = f"{_short(src)} -> {_short(dst)}:{ports.replace(', ', ',')}"
    return Finding(gate, env, flow.application, "Flow", name, flow.file, message, fix)


def unmatched_endpoint(gate: str, env: str, owner: str, name: str, endpoint: Endpoint, file: str) -> Finding:
    labels = ",".join(f"{k}={v}" for k, v in endpoint.labels)
    return Finding(
        gate,
        env,
        owner,
        "Flow",
        name,
        file,
        f"endpoint {name!r} of {file} (pods {labels} in namespace {endpoint.namespace}) selects no pod that "
        f"application {owner} renders, so its flows are checked against pods that do not exist",
        "set the endpoint's `pods` labels to those of the chart's pod template (see the rendered manifest)",
    )


def _reason(side: Side, flow: Flow, ports: str) -> str:
    peer = flow.destination if side.direction == EGRESS else flow.source
    where = "egress of the source" if side.direction == EGRESS else "ingress of the destination"
    policies = ", ".join(f"{policy.label} [{_rules(policy, side.direction)}]" for policy in side.selecting)
    missing = ", ".join(
        f"{identity} {addresses.describe()}" if peer.kind != PODS else identity
        for identity, addresses in side.missing.items()
    )
    text = f"{where} is restricted by {policies}, and none allows {peer.describe()} on {ports}"
    return text + f" (not allowed: {missing})" + "".join(f"; {note}" for note in _cilium_notes(side, peer))


def _rules(policy: Policy, direction: str) -> str:
    return "; ".join(rule.describe(direction) for rule in policy.rules.get(direction, ())) or "no rule"


def _cilium_notes(side: Side, peer: Endpoint) -> list[str]:
    notes = []
    for (policy, selector, why), identities in side.cilium_misses.items():
        names = "/".join(identities)
        if why == "ipblock":
            kind = "node" if peer.kind == NODES else "pod"
            notes.append(
                f"{policy}: {selector} covers them, but under Cilium on AKS an ipBlock cannot select {kind} "
                f"addresses (identity {names})"
            )
        else:
            notes.append(
                f"{policy}: {selector} selects pods only, and node addresses carry the Cilium identity {names}"
            )
    return notes


def _fix(side: Side, flow: Flow, ports: str, context: Context) -> str:
    subject, where = side.subject.describe(), _policy_home(side)
    if side.direction == EGRESS:
        dst = flow.destination
        if dst.kind == EXTERNAL:
            public = dst.name == "public addresses"
            cidrs = "0.0.0.0/0 except the private ranges" if public else ", ".join(dst.addresses.cidrs()[:3])
            return f"allow egress from {subject} to ipBlock {cidrs} on {ports} ({where})"
        if dst.kind == NODES and context.model.cilium:
            return (
                f"allow egress from {subject} on {ports} with no `to` (an ipBlock cannot select node addresses under "
                f"Cilium on AKS) or with a CiliumNetworkPolicy toEntities [host, remote-node] ({where})"
            )
        if dst.kind == NODES:
            return f"allow egress from {subject} to ipBlock {dst.addresses.describe()} on {ports} ({where})"
        return (
            f"allow egress from {subject} to namespaceSelector kubernetes.io/metadata.name={dst.namespace}"
            f" + podSelector {_labels(dst)} on {ports} ({where})"
        )
    src = flow.source
    if src.kind == API_SERVER:
        return (
            f"open {ports} of {subject} to every source (an ingress rule with `ports` and no `from`: the API "
            f"server calls webhooks from outside the pod network) ({where})"
        )
    if src.kind == PODS:
        return (
            f"allow ingress to {subject} from namespaceSelector kubernetes.io/metadata.name={src.namespace}"
            f" + podSelector {_labels(src)} on {ports} ({where})"
        )
    return f"allow ingress to {subject} from {src.describe()} on {ports} ({where})"


def _policy_home(side: Side) -> str:
    apps = sorted({policy.application for policy in side.selecting if policy.application})
    if apps == ["namespaces"]:
        return f"values of platform/namespaces, namespace {side.subject.namespace}"
    return "in a NetworkPolicy of application " + ", ".join(apps) if apps else "in a NetworkPolicy"


def _labels(endpoint: Endpoint) -> str:
    return ",".join(f"{k}={v}" for k, v in endpoint.labels) or "{}"


def _short(endpoint: Endpoint) -> str:
    if endpoint.kind == PODS:
        main = dict(endpoint.labels).get("app.kubernetes.io/name") or _labels(endpoint)
        return f"{endpoint.namespace}/{main}"
    return {NODES: "nodes", API_SERVER: "api-server"}.get(endpoint.kind, endpoint.name)
