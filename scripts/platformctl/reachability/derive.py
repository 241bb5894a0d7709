"""Flows derived from the rendered objects: Ingress backends, scrape targets, admission webhooks, DNS.

A reference that does not resolve (a Service without pods, a port name no container has) yields no
flow here: the reference gate reports it; this gate judges what the network lets through.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from platformctl import selectors
from platformctl.reachability.addresses import AddressSet
from platformctl.reachability.catalogue import Network
from platformctl.reachability.model import EXTERNAL, NODES, PODS, Endpoint, Flow, Port

POD_TEMPLATES = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
WEBHOOK_KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")
DNS_PORTS = (Port(53, "UDP"), Port(53, "TCP"))
KUBELET_PORT = 10250  # a kubernetes_sd `role: node` target is the kubelet's address


@dataclass(frozen=True)
class Rendered:
    """One rendered object with where it comes from."""

    obj: dict[str, Any]
    application: str
    namespace: str  # metadata.namespace, else the Application's destination
    file: str

    @property
    def kind(self) -> str:
        return self.obj.get("kind", "")

    @property
    def name(self) -> str:
        return (self.obj.get("metadata") or {}).get("name", "")

    @property
    def spec(self) -> dict[str, Any]:
        return self.obj.get("spec") or {}


@dataclass(frozen=True)
class Workload:
    source: Rendered
    endpoint: Endpoint


class Inventory:
    """Workloads and Services of the env, and the endpoints they stand for."""

    def __init__(self, objects: Iterable[Rendered], network: Network) -> None:
        self.objects = list(objects)
        self.workloads = [w for item in self.objects if (w := _workload(item, network)) is not None]
        self.services = [item for item in self.objects if item.kind == "Service"]

    def of_kind(self, *kinds: str) -> list[Rendered]:
        return [item for item in self.objects if item.kind in kinds]

    def pods(self, namespace: str, selector: dict[str, Any] | None, *, service: bool = False) -> list[Workload]:
        """Workloads of `namespace` whose pod labels match; a Service selector as a plain map."""
        if service:
            if not selector:
                return []  # a Service without selector has hand-made endpoints, not pods
            selector = {"matchLabels": selector}
        return [
            w
            for w in self.workloads
            if w.endpoint.namespace == namespace and selectors.matches(selector, w.endpoint.label_map)
        ]

    def service_targets(self, namespace: str, name: str, port_ref: int | str | None) -> list[tuple[Workload, Port]]:
        """Service `namespace/name` port (number or name) -> its pods and the container port it reaches."""
        for service in self.services:
            if service.namespace != namespace or service.name != name:
                continue
            for port in service.spec.get("ports") or []:
                if port_ref is not None and port_ref not in (port.get("port"), port.get("name")):
                    continue
                target = port.get("targetPort", port.get("port"))
                protocol = str(port.get("protocol") or "TCP")
                return [
                    (w, resolved)
                    for w in self.pods(namespace, service.spec.get("selector"), service=True)
                    if (resolved := container_port(w.endpoint, target, protocol)) is not None
                ]
        return []


def container_port(endpoint: Endpoint, target: int | str | None, protocol: str = "TCP") -> Port | None:
    """A container port by number or name (a number no container declares is still reachable)."""
    if target is None:
        return None
    if isinstance(target, int) or str(target).isdigit():
        number = int(target)
        named = [p for p in endpoint.ports if p.number == number and p.protocol == protocol]
        return named[0] if named else Port(number, protocol)
    named = [p for p in endpoint.named_port(str(target)) if p.protocol == protocol]
    return named[0] if named else None


def _workload(item: Rendered, network: Network) -> Workload | None:
    spec = item.spec
    if item.kind == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    elif item.kind == "Pod":
        spec = {"template": {"metadata": item.obj.get("metadata") or {}, "spec": spec}}
    elif item.kind not in POD_TEMPLATES:
        return None
    template = spec.get("template") or {}
    pod = template.get("spec") or {}
    labels = tuple(sorted((str(k), str(v)) for k, v in ((template.get("metadata") or {}).get("labels") or {}).items()))
    ports = tuple(
        Port(int(p["containerPort"]), str(p.get("protocol") or "TCP"), str(p.get("name") or ""))
        for container in pod.get("containers") or []
        for p in container.get("ports") or []
        if "containerPort" in p
    )
    name = f"{item.namespace}/{item.name}"
    if pod.get("hostNetwork"):
        endpoint = Endpoint(
            f"node addresses (hostNetwork {item.kind} {name})", NODES, item.namespace, labels, network.nodes, ports
        )
    else:
        endpoint = Endpoint(f"{item.kind} {name}", PODS, item.namespace, labels, network.pods, ports)
    return Workload(item, endpoint)


def ingress_backends(inventory: Inventory, controllers: list[Endpoint]) -> Iterator[Flow]:
    for ingress in inventory.of_kind("Ingress"):
        backends = [ingress.spec.get("defaultBackend")] if ingress.spec.get("defaultBackend") else []
        for rule in ingress.spec.get("rules") or []:
            backends += [path.get("backend") for path in (rule.get("http") or {}).get("paths") or []]
        for backend in backends:
            service = (backend or {}).get("service") or {}
            port = service.get("port") or {}
            for workload, target in inventory.service_targets(
                ingress.namespace, service.get("name", ""), port.get("number", port.get("name"))
            ):
                why = f"backend {service.get('name')} of Ingress {ingress.namespace}/{ingress.name}"
                for controller in controllers:
                    yield Flow(controller, workload.endpoint, target, why, ingress.application, ingress.file)


def scrape_targets(inventory: Inventory, scrapers: list[Endpoint]) -> Iterator[Flow]:
    for monitor in inventory.of_kind("ServiceMonitor"):
        for namespace in _monitor_namespaces(monitor, inventory):
            for service in inventory.services:
                if service.namespace != namespace or not selectors.matches(
                    monitor.spec.get("selector"), (service.obj.get("metadata") or {}).get("labels") or {}
                ):
                    continue
                for endpoint in monitor.spec.get("endpoints") or []:
                    targets = _monitor_targets(inventory, service, endpoint)
                    why = (
                        f"ServiceMonitor {monitor.namespace}/{monitor.name}, Service {service.namespace}/{service.name}"
                    )
                    yield from _scrapes(scrapers, targets, why, monitor)
    for monitor in inventory.of_kind("PodMonitor"):
        for namespace in _monitor_namespaces(monitor, inventory):
            for workload in inventory.pods(namespace, monitor.spec.get("selector")):
                for endpoint in monitor.spec.get("podMetricsEndpoints") or []:
                    ref = endpoint.get("port", endpoint.get("portNumber", endpoint.get("targetPort")))
                    target = container_port(workload.endpoint, ref)
                    why = f"PodMonitor {monitor.namespace}/{monitor.name} -> {workload.endpoint.name}"
                    yield from _scrapes(scrapers, [(workload, target)] if target else [], why, monitor)


def _monitor_targets(inventory: Inventory, service: Rendered, endpoint: dict[str, Any]) -> list[tuple[Workload, Port]]:
    if "port" in endpoint:
        return inventory.service_targets(service.namespace, service.name, endpoint["port"])
    ref = endpoint.get("targetPort")
    workloads = inventory.pods(service.namespace, service.spec.get("selector"), service=True)
    return [(w, port) for w in workloads if (port := container_port(w.endpoint, ref)) is not None]


def _scrapes(
    scrapers: list[Endpoint], targets: list[tuple[Workload, Port]], why: str, monitor: Rendered
) -> Iterator[Flow]:
    for workload, port in targets:
        for scraper in scrapers:
            yield Flow(scraper, workload.endpoint, port, why, monitor.application, monitor.file)


def _monitor_namespaces(monitor: Rendered, inventory: Inventory) -> list[str]:
    selector = monitor.spec.get("namespaceSelector") or {}
    if selector.get("any"):
        return sorted({w.endpoint.namespace for w in inventory.workloads})
    return list(selector.get("matchNames") or [monitor.namespace])


def scrape_configs(inventory: Inventory, scrapers: list[Endpoint], network: Network) -> Iterator[Flow]:
    """Prometheus' own scrape jobs: `additionalScrapeConfigs` of a Prometheus resource (a rendered Secret)
    and ScrapeConfig resources. Static targets `IP:port` and `<service>.<namespace>.svc:port`, and
    kubernetes_sd `role: node` (the kubelet on every node) are followed; other service discovery is
    decided by relabelling at run time and is not."""
    for prometheus in inventory.of_kind("Prometheus"):
        ref = prometheus.spec.get("additionalScrapeConfigs") or {}
        for job in _secret_jobs(inventory, prometheus.namespace, ref.get("name", ""), ref.get("key", "")):
            why = f"scrape job {job.get('job_name')} of Prometheus {prometheus.namespace}/{prometheus.name}"
            static = [t for c in job.get("static_configs") or [] for t in c.get("targets") or []]
            roles = [c.get("role") for c in job.get("kubernetes_sd_configs") or []]
            yield from _job_flows(inventory, scrapers, network, static, roles, why, prometheus)
    for config in inventory.of_kind("ScrapeConfig"):
        static = [t for c in config.spec.get("staticConfigs") or [] for t in c.get("targets") or []]
        roles = [str(c.get("role", "")).lower() for c in config.spec.get("kubernetesSDConfigs") or []]
        why = f"ScrapeConfig {config.namespace}/{config.name}"
        yield from _job_flows(inventory, scrapers, network, static, roles, why, config)


def _secret_jobs(inventory: Inventory, namespace: str, name: str, key: str) -> list[dict[str, Any]]:
    for secret in inventory.of_kind("Secret"):
        if secret.namespace != namespace or secret.name != name:
            continue
        text = (secret.obj.get("stringData") or {}).get(key)
        if text is None and key in (secret.obj.get("data") or {}):
            text = base64.b64decode(secret.obj["data"][key]).decode("utf-8")
        jobs = yaml.safe_load(text or "") or []
        return [job for job in jobs if isinstance(job, dict)]
    return []


def _job_flows(
    inventory: Inventory,
    scrapers: list[Endpoint],
    network: Network,
    static: list[str],
    roles: list[Any],
    why: str,
    source: Rendered,
) -> Iterator[Flow]:
    targets: list[tuple[Endpoint, Port]] = []
    for target in static:
        host, _, port = str(target).rpartition(":")
        if not port.isdigit():
            continue
        targets += _static_target(inventory, network, host, int(port))
    if "node" in roles:
        targets.append((network.builtin("nodes"), Port(KUBELET_PORT)))
    for endpoint, port in targets:
        for scraper in scrapers:
            yield Flow(scraper, endpoint, port, why, source.application, source.file)


def _static_target(inventory: Inventory, network: Network, host: str, port: int) -> list[tuple[Endpoint, Port]]:
    try:
        address = AddressSet.of(f"{ipaddress.ip_address(host)}/32")
    except ValueError:
        parts = host.split(".")
        if len(parts) >= 3 and parts[2] == "svc":  # <service>.<namespace>.svc[.cluster.local]
            return [(w.endpoint, p) for w, p in inventory.service_targets(parts[1], parts[0], port)]
        return []  # a name resolved outside the cluster: its address is not known here
    if network.nodes.covers(address) and network.node_cidr:
        return [(network.builtin("nodes"), Port(port))]
    return [(Endpoint(f"scrape target {host}", EXTERNAL, addresses=address), Port(port))]


def webhook_calls(inventory: Inventory, api_server: Endpoint) -> Iterator[Flow]:
    for config in inventory.of_kind(*WEBHOOK_KINDS):
        for webhook in config.obj.get("webhooks") or []:
            service = (webhook.get("clientConfig") or {}).get("service")
            if not service:
                continue  # a URL webhook is outside the cluster
            for workload, port in inventory.service_targets(
                service.get("namespace", ""), service.get("name", ""), int(service.get("port") or 443)
            ):
                why = f"webhook {webhook.get('name')} of {config.kind} {config.name}"
                yield Flow(api_server, workload.endpoint, port, why, config.application, config.file)


def dns_lookups(sources: Iterable[tuple[Endpoint, str, str]], resolvers: list[Endpoint]) -> Iterator[Flow]:
    """Every pod endpoint -> every DNS endpoint on 53/UDP and 53/TCP; sources are (endpoint, app, file)."""
    for source, application, file in sources:
        if source.kind != PODS:
            continue
        for resolver in resolvers:
            for port in DNS_PORTS:
                yield Flow(source, resolver, port, "DNS (kube-dns)", application, file)
