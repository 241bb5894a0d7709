"""The reachability gate: every flow the platform needs, judged against the rendered network policies.

Flows come from the committed catalogue (`<values folder>/flows.yaml` of each component, see
`catalogue.py`) and from the rendered objects (`derive.py`). Policies are the rendered NetworkPolicies
and Cilium policies of the env (`policies.py`); the CNI's handling of nodes and ipBlocks is in `cni.py`.
Offline, only in-repo charts render, so the namespaces chart's policies are always checked, and flows
of upstream components are checked from the pod labels and namespaces their flows.yaml declares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformctl.findings import Finding
from platformctl.paths import relative_path
from platformctl.reachability import catalogue as flow_catalogue
from platformctl.reachability import derive
from platformctl.reachability.catalogue import Catalogue, ComponentFlows, Network
from platformctl.reachability.cni import NetworkModel
from platformctl.reachability.evaluate import Context, Side, evaluate
from platformctl.reachability.messages import denial, unmatched_endpoint
from platformctl.reachability.model import PODS, Flow
from platformctl.reachability.policies import Policy, parse_policies
from platformctl.references.provided import Provided
from platformctl.render import RenderedEnvironment

GATE = "reachability"


@dataclass(frozen=True)
class Application:
    """What the gate needs of one Application: its objects (empty when not rendered) and its values folder."""

    name: str
    namespace: str
    rendered: bool
    objects: list[dict[str, Any]] = field(default_factory=list)
    file: str = ""  # the rendered manifest, repository-relative
    values: str | None = None  # the component's values folder (where its flows.yaml lives)


def check_environment(rendered: RenderedEnvironment, cluster: dict[str, Any], base: Path) -> list[Finding]:
    components = (rendered.values or {}).get("components") or {}
    apps = [
        Application(
            app.name,
            app.namespace,
            app.rendered,
            app.objects,
            relative_path(app.manifest_file, base) if app.manifest_file else app.name,
            (components.get(app.name) or {}).get("values"),
        )
        for app in rendered.applications
    ]
    return check(rendered.env, apps, cluster, base)


def check(env: str, apps: list[Application], cluster: dict[str, Any], base: Path) -> list[Finding]:
    network = Network.from_cluster(cluster)
    objects = [
        derive.Rendered(obj, app.name, (obj.get("metadata") or {}).get("namespace") or app.namespace, app.file)
        for app in apps
        for obj in app.objects
        if isinstance(obj, dict)
    ]
    policies = [
        policy for item in objects for policy in parse_policies(item.obj, item.application, item.file, item.namespace)
    ]
    namespaces = _namespace_labels(objects)
    components = [
        (flows, app.namespace)
        for app in apps
        if app.values and (flows := flow_catalogue.load_component(base / app.values, app.name, base))
    ]
    provided = flow_catalogue.provided_endpoints(Provided.load(base), network)
    catalogue = flow_catalogue.build(components, env, network, provided)
    inventory = derive.Inventory(objects, network)
    findings = [Finding(GATE, env, app, "", "", file, message, fix) for app, file, message, fix in catalogue.problems]
    findings += _missing_catalogue(apps, components, policies, namespaces, inventory, env)
    if policies and not network.engine:
        findings.append(_no_network_facts(env))
    findings += _unmatched(catalogue, inventory, apps, env)

    flows = list(catalogue.flows)
    flows += derive.ingress_backends(inventory, catalogue.role("ingress-controller"))
    flows += derive.scrape_targets(inventory, catalogue.role("prometheus"))
    flows += derive.scrape_configs(inventory, catalogue.role("prometheus"), network)
    flows += derive.webhook_calls(inventory, network.builtin("api-server"))
    sources = [(w.endpoint, w.source.application, w.source.file) for w in inventory.workloads]
    sources += [
        (endpoint, catalogue.endpoint_owner[name], catalogue.endpoint_files[name])
        for name, endpoint in catalogue.endpoints.items()
        if endpoint.role != "dns"
    ]
    flows += derive.dns_lookups(sources, catalogue.role("dns"))

    context = Context(policies, namespaces, NetworkModel(network.engine))
    return findings + _denials(env, flows, context)


def _denials(env: str, flows: list[Flow], context: Context) -> list[Finding]:
    """One finding per root cause: denied flows to the same destination, stopped by the same policies in
    the same direction (the DNS lookups of every pod of a namespace, say), are reported once."""
    groups: dict[tuple[Any, ...], list[tuple[Flow, list[Side]]]] = {}
    seen: set[tuple[Any, ...]] = set()
    for flow in flows:
        if flow.key in seen:
            continue
        seen.add(flow.key)
        sides = evaluate(flow, context)
        if sides:
            dst = flow.destination
            cause = tuple((s.direction, s.subject.namespace, tuple(p.label for p in s.selecting)) for s in sides)
            # Pods by namespace and labels; nodes and outside addresses by their addresses, whatever named them.
            where = (dst.namespace, dst.labels) if dst.kind == PODS else dst.addresses
            groups.setdefault((dst.kind, where, cause), []).append((flow, sides))
    return [denial(GATE, env, group, context) for group in groups.values()]


def _namespace_labels(objects: list[derive.Rendered]) -> dict[str, dict[str, str]]:
    """Labels of the rendered Namespaces, plus the kubernetes.io/metadata.name label the API server sets."""
    labels: dict[str, dict[str, str]] = {}
    for item in objects:
        if item.kind == "Namespace":
            found = dict((item.obj.get("metadata") or {}).get("labels") or {})
            found["kubernetes.io/metadata.name"] = item.name
            labels[item.name] = found
    return labels


def _missing_catalogue(
    apps: list[Application],
    components: list[tuple[ComponentFlows, str]],
    policies: list[Policy],
    namespaces: dict[str, dict[str, str]],
    inventory: derive.Inventory,
    env: str,
) -> list[Finding]:
    """A component running pods in a namespace under network policy must bring its flows (an upstream
    chart not rendered offline is assumed to run pods)."""
    have = {flows.component for flows, _ in components}
    policed = {p.namespace for p in policies}
    runs_pods = {w.source.application for w in inventory.workloads}
    return [
        Finding(
            GATE,
            env,
            app.name,
            "Application",
            app.name,
            "",
            f"component {app.name} deploys into namespace {app.namespace}, which network policies restrict, "
            f"but its values folder has no {flow_catalogue.FLOWS_FILE}",
            f"declare its endpoints and the flows it needs in {flow_catalogue.FLOWS_FILE} next to its values "
            "(docs/contracts.md, Reachability gate)",
        )
        for app in apps
        if app.name not in have
        and app.namespace in policed
        and app.namespace in namespaces
        and (app.name in runs_pods or not app.rendered)
    ]


def _no_network_facts(env: str) -> Finding:
    return Finding(
        GATE,
        env,
        "",
        "",
        "",
        f"clusters/{env}/cluster.yaml",
        "cluster.yaml declares no spec.network, so flows are judged with plain Kubernetes semantics, without the "
        "CNI's handling of node addresses and ipBlocks",
        "declare spec.network (policy, podCidr, serviceCidr, nodeCidr, privateEndpoints) in cluster.yaml",
        severity="warning",
    )


def _unmatched(catalogue: Catalogue, inventory: derive.Inventory, apps: list[Application], env: str) -> list[Finding]:
    """A declared endpoint must select pods of its component once the component renders."""
    rendered_apps = {app.name for app in apps if app.rendered}
    findings = []
    for name, endpoint in catalogue.endpoints.items():
        owner = catalogue.endpoint_owner[name]
        if endpoint.kind != PODS or owner not in rendered_apps or name in catalogue.runtime_only:
            continue
        pods = inventory.pods(endpoint.namespace, {"matchLabels": endpoint.label_map})
        if not any(w.source.application == owner for w in pods):
            findings.append(unmatched_endpoint(GATE, env, owner, name, endpoint, catalogue.endpoint_files[name]))
    return findings


__all__ = ["GATE", "Application", "Flow", "check", "check_environment"]
