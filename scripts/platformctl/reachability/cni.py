"""How the cluster's CNI sees the peers of a flow: identities, and which selector may select which.

Kubernetes leaves two things to the network plugin: whether an ipBlock selects pod or node addresses,
and how traffic from/to the nodes themselves is classified. The platform runs Azure CNI powered by
Cilium (`clusters/<env>/cluster.yaml` spec.network.policy: cilium). What Cilium does, and the sources:

- Cilium translates a NetworkPolicy peer list into its own rule (cilium/cilium
  pkg/k8s/network_policy.go, ParseNetworkPolicy): a podSelector becomes an endpoint selector pinned to
  the policy's namespace; a namespaceSelector (even `{}`) requires the pod-namespace label, which only
  pods carry; an ipBlock becomes a CIDR rule; an empty or missing `from`/`to` becomes the wildcard
  selector, which selects every identity (pods, nodes, the world).
- Traffic from/to a node (kubelet on 10250, a hostNetwork pod such as node-exporter on 9100) carries
  the reserved identity `host` (the local node) or `remote-node` (any other node), never a pod identity,
  so no pod or namespace selector selects it (Cilium docs, Policy language: Entities based; "Previously,
  only the remote-node and host entities could select nodes", cilium/cilium-cli#1988).
- Upstream Cilium lets CIDR selectors match node addresses only with `policy-cidr-match-mode: nodes`.
  AKS manages the Cilium configuration and does not set it: "A limitation of Azure CNI Powered by Cilium
  is that a NetworkPolicy ipBlock can't select pod or node IPs ... It isn't currently possible to specify
  a NetworkPolicy with an ipBlock to allow traffic to node IPs" (learn.microsoft.com, Azure CNI Powered
  by Cilium, FAQ). So under Cilium an ipBlock selects only addresses outside the cluster (`world`, and
  the API server, which AKS runs outside the cluster).
- Reaching nodes therefore takes a rule without `to` (port-scoped) or a CiliumNetworkPolicy with
  `toEntities: [host, remote-node]`; both sides must be allowed, since Prometheus scrapes its own node
  (`host`) and every other node (`remote-node`).

With another policy engine (azure, calico) the gate applies plain Kubernetes semantics: an ipBlock
selects every address it covers, nodes included, and the node addresses form one identity.
"""

from __future__ import annotations

from platformctl.reachability.model import API_SERVER, EXTERNAL, NODES, PODS, Endpoint

CILIUM = "cilium"

#: Cilium entities (toEntities/fromEntities) -> the identities they select.
ENTITIES: dict[str, frozenset[str]] = {
    "all": frozenset({"pod", "host", "remote-node", "world", "kube-apiserver"}),
    "cluster": frozenset({"pod", "host", "remote-node"}),
    "host": frozenset({"host"}),
    "remote-node": frozenset({"remote-node"}),
    "world": frozenset({"world", "kube-apiserver"}),  # the AKS API server sits outside the cluster
    "kube-apiserver": frozenset({"kube-apiserver"}),
}


class NetworkModel:
    """The CNI facts of one environment."""

    def __init__(self, policy_engine: str) -> None:
        self.engine = policy_engine

    @property
    def cilium(self) -> bool:
        return self.engine == CILIUM

    def identities(self, endpoint: Endpoint) -> tuple[str, ...]:
        """Every identity a peer's traffic may carry; a flow is allowed only when all of them are."""
        if endpoint.kind == PODS:
            return ("pod",)
        if endpoint.kind == NODES:
            return ("host", "remote-node") if self.cilium else ("node",)
        if endpoint.kind == API_SERVER:
            return ("kube-apiserver",)
        if endpoint.kind == EXTERNAL:
            return ("world",)
        raise ValueError(f"unknown endpoint kind {endpoint.kind!r}")

    def ip_block_selects(self, identity: str) -> bool:
        """Whether an ipBlock (CIDR rule) can select a peer of this identity."""
        if self.cilium:
            return identity in ("world", "kube-apiserver")
        return True
