"""One resolver per kind of target: follow a `Reference` into the `Inventory`, return a `Miss` or None.

A miss names its root cause (`Miss.root`): every reference broken by the same missing object shares it,
so the report says it once. Hints are the nearest existing candidate ("did you mean").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from platformctl.references.inventory import Inventory, PodTemplate
from platformctl.references.model import Miss, Reference
from platformctl.selectors import as_pairs, describe, matches, matches_map

MONITORING = "monitoring.coreos.com"
PROMETHEUS_KINDS = {
    "serviceMonitor": ("Prometheus", "PrometheusAgent"),
    "podMonitor": ("Prometheus", "PrometheusAgent"),
    "rule": ("Prometheus", "ThanosRuler"),
}

Resolver = Callable[[Reference, Inventory], "Miss | None"]


def nearest(name: str, candidates: Iterable[str]) -> str:
    found = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return found[0] if found else ""


def _where(namespace: str, name: str) -> str:
    return f"{namespace}/{name}" if namespace else name


def _absent(group: str, kind: str, namespace: str, name: str, inventory: Inventory) -> Miss:
    hint = nearest(name, inventory.names(group, kind, namespace))
    if not hint and namespace:
        elsewhere = inventory.namespaces_holding(group, kind, name)
        hint = f"the {kind} of that name in namespace {', '.join(elsewhere)}" if elsewhere else ""
    missing = (
        f"{kind} {_where(namespace, name)}, which no Application of the env renders and the cluster does not provide"
    )
    return Miss((group, kind, namespace, name), missing, namespace, hint, None if namespace else (group, kind))


def resolve_object(ref: Reference, inventory: Inventory) -> Miss | None:
    if inventory.find(ref.group, ref.kind, ref.namespace, ref.name):
        return None
    return _absent(ref.group, ref.kind, ref.namespace, ref.name, inventory)


def resolve_keyed(ref: Reference, inventory: Inventory) -> Miss | None:
    found = inventory.find(ref.group, ref.kind, ref.namespace, ref.name)
    if not found:
        return _absent(ref.group, ref.kind, ref.namespace, ref.name, inventory)
    if ref.key is None or any(item.keys is None for item in found):
        return None
    keys = sorted({key for item in found for key in item.keys or ()})
    if str(ref.key) in keys:
        return None
    origin = next((item.origin for item in found if item.origin), "")
    provides = ", ".join(keys) or "no key"
    missing = f"key {ref.key!r} of {ref.kind} {_where(ref.namespace, ref.name)}, which provides only: {provides}"
    missing += f" ({origin})" if origin else ""
    return Miss(
        (ref.group, ref.kind, ref.namespace, ref.name, str(ref.key)),
        missing,
        ref.namespace,
        nearest(str(ref.key), keys),
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


def resolve_service_port(ref: Reference, inventory: Inventory) -> Miss | None:
    found = inventory.find("", "Service", ref.namespace, ref.name)
    if not found:
        return _absent("", "Service", ref.namespace, ref.name, inventory)
    if ref.key is None:
        return None
    ports = [port for item in found for port in item.spec.get("ports") or []]
    if _is_number(ref.key):
        if any(int(port.get("port", -1)) == int(ref.key) for port in ports):
            return None
        hint = ", ".join(str(port.get("port")) for port in ports)
    else:
        names = [str(port.get("name", "")) for port in ports]
        if str(ref.key) in names:
            return None
        hint = nearest(str(ref.key), names)
    missing = f"port {ref.key} of Service {_where(ref.namespace, ref.name)}, which has ports: " + ", ".join(
        f"{port.get('name', '')}:{port.get('port')}" for port in ports
    )
    return Miss(("", "Service", ref.namespace, ref.name, str(ref.key)), missing, ref.namespace, hint)


def _selected_pods(ref: Reference, inventory: Inventory) -> list[PodTemplate]:
    selector = ref.selector or {}
    select = matches_map if ref.rule.startswith("service-") else matches
    return [pod for pod in inventory.pods(ref.namespace) if select(selector, pod.labels)]


def _nearest_labels(selector: dict[str, Any], candidates: Sequence[tuple[str, dict[str, str]]]) -> str:
    """The candidate that misses the fewest equality requirements, with the labels it has instead."""
    wanted = as_pairs(selector)
    best: tuple[int, str] | None = None
    for label, labels in candidates:
        differing = [key for key, value in wanted.items() if labels.get(key) != value]
        related = len(differing) < len(wanted) or all(key in labels for key in differing)  # a typo, not a stranger
        if differing and related and (best is None or len(differing) < best[0]):
            have = ",".join(f"{key}={labels[key]}" if key in labels else f"no {key}" for key in differing)
            best = (len(differing), f"{have} ({label})")
    return best[1] if best else ""


def resolve_pods(ref: Reference, inventory: Inventory) -> Miss | None:
    if _selected_pods(ref, inventory):
        return None
    selector = ref.selector or {}
    missing = f"pods with labels {describe(selector)} in namespace {ref.namespace}: no pod template of the env has them"
    candidates = [(str(pod.owner), pod.labels) for pod in inventory.pods(ref.namespace)]
    root = ("pods", str(ref.source), ref.field)
    return Miss(root, missing, ref.namespace, _nearest_labels(selector, candidates))


def resolve_container_port(ref: Reference, inventory: Inventory) -> Miss | None:
    pods = _selected_pods(ref, inventory)
    if not pods or ref.key is None:
        return None  # no pod: the selector finding says it
    ports = [port for pod in pods for port in pod.ports()]
    if _is_number(ref.key):
        numbers = {int(port.get("containerPort", -1)) for port in ports}
        if not numbers or int(ref.key) in numbers:
            return None  # containers that declare no port may still listen on it
        hint = ", ".join(f"{p.get('name', '')}:{p.get('containerPort')}" for p in ports)
    else:
        names = [str(port.get("name", "")) for port in ports]
        if str(ref.key) in names:
            return None
        hint = nearest(str(ref.key), names)
    owners = ", ".join(sorted({str(pod.owner) for pod in pods}))
    declared = ", ".join(f"{p.get('name', '')}:{p.get('containerPort')}" for p in ports) or "none"
    missing = f"container port {ref.key} in the pods it selects ({owners}), which declare ports: {declared}"
    return Miss(("port", str(ref.source), str(ref.key)), missing, ref.namespace, hint)


def resolve_monitor_targets(ref: Reference, inventory: Inventory) -> Miss | None:
    namespaces = set(ref.namespaces) if ref.namespaces is not None else inventory.namespaces()
    selector = ref.selector or {}
    candidates: list[tuple[str, dict[str, str], list[str]]] = []
    if ref.kind == "Service":
        for item in inventory.of_kind("", "Service"):
            if item.namespace in namespaces:
                names = [str(port.get("name", "")) for port in item.spec.get("ports") or []]
                candidates.append((str(item), item.labels, names))
    else:
        for namespace in namespaces:
            for pod in inventory.pods(namespace):
                candidates.append((str(pod.owner), pod.labels, [str(p.get("name", "")) for p in pod.ports()]))
    selected = [c for c in candidates if matches(selector, c[1])]
    # judged only when no unrendered Application writes into one of the selected namespaces
    scope = (
        ""
        if ref.namespaces is None
        else next((ns for ns in sorted(namespaces) if inventory.undecidable(ns)), ref.namespaces[0])
    )
    where = "any namespace" if ref.namespaces is None else "namespace " + ", ".join(sorted(namespaces))
    if ref.key is None:
        if selected:
            return None
        missing = f"{ref.kind}s with labels {describe(selector)} in {where}: none in the env"
        hint = _nearest_labels(selector, [(label, labels) for label, labels, _ in candidates])
        return Miss(("monitor", str(ref.source)), missing, scope, hint)
    if not selected or any(str(ref.key) in ports for _, _, ports in selected):
        return None  # no target at all: the selector reference says it
    names = [name for _, _, ports in selected for name in ports]
    chosen = ", ".join(label for label, _, _ in selected)
    named = ", ".join(names) or "no port"
    missing = f"port name {ref.key} on the {ref.kind}s it selects ({chosen}), which name: {named}"
    return Miss(("monitor", str(ref.source), str(ref.key)), missing, scope, nearest(str(ref.key), names))


def resolve_prometheus_selection(ref: Reference, inventory: Inventory) -> Miss | None:
    """prometheus-operator semantics: a nil selector selects nothing, `{}` everything; a nil namespace
    selector means the Prometheus' own namespace only, `{}` every namespace."""
    source = ref.source
    prometheuses = [item for kind in PROMETHEUS_KINDS[ref.kind] for item in inventory.of_kind(MONITORING, kind)]
    described: list[str] = []
    for prometheus in prometheuses:
        selector = prometheus.spec.get(f"{ref.kind}Selector")
        namespace_selector = prometheus.spec.get(f"{ref.kind}NamespaceSelector")
        if namespace_selector is None:
            in_namespace = source.namespace == prometheus.namespace
            where = f"namespace {prometheus.namespace} only"
        else:
            in_namespace = matches(namespace_selector, inventory.namespace_labels(source.namespace))
            where = (
                "every namespace"
                if not namespace_selector
                else f"namespaces with labels {describe(namespace_selector)}"
            )
        if selector is not None and in_namespace and matches(selector, source.labels):
            return None
        what = "nothing (nil selector)" if selector is None else f"labels {describe(selector)}"
        described.append(f"{prometheus} selects {ref.kind}s with {what} in {where}")
    labels = ",".join(f"{key}={value}" for key, value in sorted(source.labels.items())) or "none"
    found = "; ".join(described) if described else "the env renders no Prometheus"
    missing = f"a Prometheus that loads it (its labels: {labels}; namespace {source.namespace}): {found}"
    # The Prometheus that should load it is the platform's: once one is rendered, judge against those.
    return Miss(("loaded", str(source)), missing, "", certain=bool(prometheuses))


def resolve_secret_store(ref: Reference, inventory: Inventory) -> Miss | None:
    found = inventory.find(ref.group, ref.kind, ref.namespace, ref.name)
    if not found:
        return _absent(ref.group, ref.kind, ref.namespace, ref.name, inventory)
    if ref.kind != "ClusterSecretStore":
        return None
    namespace = ref.source.namespace
    conditions = [c for item in found for c in item.spec.get("conditions") or []]
    if not conditions or any(_condition_allows(c, namespace, inventory) for c in conditions):
        return None
    missing = f"ClusterSecretStore {ref.name}, whose spec.conditions do not serve namespace {namespace}"
    return Miss((ref.group, ref.kind, ref.name, "namespace", namespace), missing, "")


def _condition_allows(condition: dict[str, Any], namespace: str, inventory: Inventory) -> bool:
    if namespace in (condition.get("namespaces") or []):
        return True
    if any(re.fullmatch(str(pattern), namespace) for pattern in condition.get("namespaceRegexes") or []):
        return True
    selector = condition.get("namespaceSelector")
    return selector is not None and matches(selector, inventory.namespace_labels(namespace))


RESOLVERS: dict[str, Resolver] = {
    "object": resolve_object,
    "keyed": resolve_keyed,
    "service-port": resolve_service_port,
    "pods": resolve_pods,
    "container-port": resolve_container_port,
    "monitor-targets": resolve_monitor_targets,
    "prometheus-selection": resolve_prometheus_selection,
    "secret-store": resolve_secret_store,
}
