"""What the reachability gate reasons about: endpoints (who talks), ports and flows (who must reach whom)."""

from __future__ import annotations

from dataclasses import dataclass, field

from platformctl.reachability.addresses import AddressSet

#: Endpoint kinds. Pods are selected by labels; the others only by addresses (or Cilium entities).
PODS = "pods"
NODES = "nodes"  # node addresses: kubelet, hostNetwork pods (node-exporter)
EXTERNAL = "external"  # outside the cluster: a private endpoint's subnet, public DNS
API_SERVER = "api-server"  # the Kubernetes API server (managed control plane): calls admission webhooks


@dataclass(frozen=True)
class Port:
    number: int
    protocol: str = "TCP"
    name: str = ""  # the destination container port's name, when the destination is pods

    def __str__(self) -> str:
        return f"{self.number}/{self.protocol}" + (f" ({self.name})" if self.name else "")


@dataclass(frozen=True)
class Endpoint:
    name: str  # for messages: "monitoring/prometheus", "node addresses", "private endpoint postgresql"
    kind: str
    namespace: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    addresses: AddressSet = field(default_factory=AddressSet)
    ports: tuple[Port, ...] = ()  # named container ports of the pods (named-port resolution)
    role: str = ""  # ingress-controller | prometheus | dns (sources/destinations of derived flows)

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)

    def named_port(self, name: str) -> list[Port]:
        return [port for port in self.ports if port.name == name]

    def describe(self) -> str:
        if self.kind == PODS:
            labels = ",".join(f"{k}={v}" for k, v in self.labels) or "any pod"
            return f"pods {labels} in namespace {self.namespace}"
        return self.name


@dataclass(frozen=True)
class Flow:
    source: Endpoint
    destination: Endpoint
    port: Port
    why: str  # what needs it: "Ingress data-apps/exposition-api backend", "flows.yaml: grafana-database"
    application: str = ""  # the Application a finding is reported on
    file: str = ""  # where the flow comes from (flows.yaml or the rendered manifest)

    @property
    def key(self) -> tuple[str, str, str, str, str, int, str]:
        src, dst = self.source, self.destination
        return (
            src.kind,
            src.namespace,
            repr(src.labels),
            dst.kind,
            dst.namespace + repr(dst.labels) + dst.name,
            self.port.number,
            self.port.protocol,
        )
