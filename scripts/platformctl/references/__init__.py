"""Reference gate: every reference between objects of an env resolves.

A Service's selector and targetPort, an Ingress backend, a monitor's selector and the Prometheus that
loads it, an ExternalSecret's store, a pod's Secrets/ConfigMaps and keys, ServiceAccounts, RBAC, storage
classes, HPA/PDB targets, webhook Services, cert-manager issuers: each must resolve to an object one of
the env's Applications renders, or to one the cluster provides (platform/cluster-provided.yaml, or an
operator creates at run time). `rules.py` says what is checked, `declare.py` where references are,
`resolve.py` how each kind of target is found, `report.py` how a root cause is reported once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from platformctl.findings import Finding
from platformctl.paths import relative_path
from platformctl.references.declare import references
from platformctl.references.inventory import Inventory, Item, make_item
from platformctl.references.model import Miss, Reference
from platformctl.references.provided import Provided, external_secret_targets, ingress_shim_secrets
from platformctl.references.report import GATE, findings
from platformctl.references.resolve import RESOLVERS
from platformctl.references.rules import RULES
from platformctl.render import RenderedEnvironment

__all__ = ["GATE", "build_inventory", "check_references"]

Scope = Callable[[str, str], bool]


def build_inventory(rendered: RenderedEnvironment, root: Path, cluster_scoped: Scope) -> tuple[Inventory, list[Item]]:
    """The env's inventory, and the rendered items (the only ones whose references are checked)."""
    provided = Provided.load(root)
    rendered_items = [
        make_item(
            obj,
            app.name,
            relative_path(app.manifest_file, root) if app.manifest_file else app.name,
            app.namespace,
            cluster_scoped,
        )
        for app in rendered.applications
        for obj in app.objects
    ]
    static, everywhere = provided.static_items(cluster_scoped)
    external = [item for item in rendered_items if (item.group, item.kind) == ("external-secrets.io", "ExternalSecret")]
    ingresses = [item for item in rendered_items if (item.group, item.kind) == ("networking.k8s.io", "Ingress")]
    generated = [
        *provided.generated_items(rendered_items, cluster_scoped),
        *external_secret_targets(external, cluster_scoped),
        *ingress_shim_secrets(ingresses, cluster_scoped),
    ]
    components = rendered.values.get("components") or {}
    unrendered = [app for app in rendered.applications if not app.rendered]
    undecided = {app.namespace for app in unrendered}
    cluster_kinds: list[dict[str, str]] = []
    for app in unrendered:
        undecided.update(str(ns) for ns in (components.get(app.name) or {}).get("extraNamespaces") or [])
        project = rendered.projects.get(app.project) or {}
        cluster_kinds += (project.get("spec") or {}).get("clusterResourceWhitelist") or []
    inventory = Inventory(
        [*rendered_items, *static, *generated],
        undecided_namespaces=frozenset(undecided),
        some_unrendered=bool(unrendered),
        undecided_cluster_kinds=tuple(cluster_kinds),
        every_namespace=everywhere,
        prefixes=provided.prefixes(),
    )
    return inventory, rendered_items


def check_references(rendered: RenderedEnvironment, root: Path, cluster_scoped: Scope) -> list[Finding]:
    inventory, items = build_inventory(rendered, root, cluster_scoped)
    misses: list[tuple[Reference, Miss]] = []
    for item in items:
        try:
            resolved = [(ref, RESOLVERS[RULES[ref.rule].resolver](ref, inventory)) for ref in references(item)]
        except (AttributeError, TypeError, ValueError):
            continue  # a malformed object (a list where a mapping belongs...): the schema gate reports it
        misses += [
            (ref, miss)
            for ref, miss in resolved
            if miss and (miss.certain or not inventory.undecidable(miss.scope, miss.kind))
        ]
    return findings(rendered.env, misses)
