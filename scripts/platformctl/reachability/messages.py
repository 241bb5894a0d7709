"""Findings of the reachability gate: who cannot reach whom on which port, which policy says no, the fix."""

from __future__ import annotations

from platformctl.findings import Finding
from platformctl.reachability.evaluate import Context, Side
from platformctl.reachability.model import API_SERVER, EXTERNAL, NODES, PODS, Endpoint, Flow
from platformctl.reachability.policies import EGRESS, Policy


def denial(gate: str, env: str, flow: Flow, sides: list[Side], context: Context) -> Finding:
    src, dst = flow.source, flow.destination
    reasons = "; ".join(_reason(side, flow) for side in sides)
    message = f"{src.describe()} cannot reach {dst.describe()} on {flow.port} ({flow.why}): {reasons}"
    fix = " and ".join(_fix(side, flow, context) for side in sides)
    name = f"{_short(src)} -> {_short(dst)}:{flow.port.number}/{flow.port.protocol}"
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


def _reason(side: Side, flow: Flow) -> str:
    peer = flow.destination if side.direction == EGRESS else flow.source
    where = "egress of the source" if side.direction == EGRESS else "ingress of the destination"
    policies = ", ".join(f"{policy.label} [{_rules(policy, side.direction)}]" for policy in side.selecting)
    missing = ", ".join(
        f"{identity} {addresses.describe()}" if peer.kind != PODS else identity
        for identity, addresses in side.missing.items()
    )
    text = f"{where} is restricted by {policies}, and none allows {peer.describe()} on {flow.port}"
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


def _fix(side: Side, flow: Flow, context: Context) -> str:
    subject = side.subject
    where = _policy_home(side)
    if side.direction == EGRESS:
        dst = flow.destination
        if dst.kind == EXTERNAL:
            cidrs = (
                ", ".join(dst.addresses.cidrs()[:3])
                if dst.name != "public addresses"
                else "0.0.0.0/0 except the private ranges"
            )
            port = f"{flow.port.number}/{flow.port.protocol}"
            return f"allow egress from {subject.describe()} to ipBlock {cidrs} on {port} ({where})"
        if dst.kind == NODES:
            if context.model.cilium:
                return (
                    f"allow egress from {subject.describe()} on {flow.port.number}/{flow.port.protocol} with no `to` "
                    f"(an ipBlock cannot select node addresses under Cilium on AKS) or with a CiliumNetworkPolicy "
                    f"toEntities [host, remote-node] ({where})"
                )
            return (
                f"allow egress from {subject.describe()} to ipBlock {dst.addresses.describe()} on {flow.port} ({where})"
            )
        return (
            f"allow egress from {subject.describe()} to namespaceSelector kubernetes.io/metadata.name={dst.namespace}"
            f" + podSelector {_labels(dst)} on {flow.port.number}/{flow.port.protocol} ({where})"
        )
    src = flow.source
    if src.kind == API_SERVER:
        return (
            f"open {flow.port.number}/{flow.port.protocol} of {subject.describe()} to every source (an ingress rule "
            f"with `ports` and no `from`: the API server calls webhooks from outside the pod network) ({where})"
        )
    if src.kind == PODS:
        return (
            f"allow ingress to {subject.describe()} from namespaceSelector kubernetes.io/metadata.name={src.namespace}"
            f" + podSelector {_labels(src)} on {flow.port.number}/{flow.port.protocol} ({where})"
        )
    return f"allow ingress to {subject.describe()} from {src.describe()} on {flow.port} ({where})"


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
