"""The policy context: facts the custom checks need beyond the one object checkov hands them.

Built from the same rendered manifests checkov scans and from clusters/<env>/, written as JSON and
passed to the checks through $PLATFORM_POLICY_CONTEXT (see policies/kubernetes/platform_policy.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from platformctl.environments import Environment
from platformctl.errors import PlatformError

DATA_APPS_PROJECT = "data-apps"
INGRESS_MARKER = "ingress"  # Applications whose name contains it form the ingress layer


def _spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def _namespace(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("namespace") or "default")


def is_default_deny(policy: dict[str, Any]) -> bool:
    """A NetworkPolicy selecting every pod that lists Ingress and allows no ingress traffic."""
    spec = _spec(policy)
    selects_all = spec.get("podSelector") in ({}, None) and "podSelector" in spec
    types = spec.get("policyTypes") or []
    return selects_all and "Ingress" in types and not spec.get("ingress")


def registries(environment: Environment) -> list[str]:
    login_server = ((environment.cluster.get("spec") or {}).get("containerRegistry") or {}).get("loginServer")
    if not login_server:
        raise PlatformError(
            f"{environment.cluster_file}: spec.containerRegistry.loginServer is not set",
            fix="declare the platform's Azure Container Registry in cluster.yaml",
        )
    return [str(login_server)]


def stateful_components(components: dict[str, Any]) -> list[str]:
    return sorted(name for name, spec in components.items() if isinstance(spec, dict) and spec.get("stateful"))


def build_context(
    env: str,
    registry_hosts: list[str],
    objects: Iterable[dict[str, Any]],
    applications: Iterable[dict[str, Any]],
    stateful: list[str],
) -> dict[str, Any]:
    objects = list(objects)
    applications = [a for a in applications if a.get("kind") == "Application"]

    def destination_namespace(app: dict[str, Any]) -> str:
        return str((_spec(app).get("destination") or {}).get("namespace") or "")

    return {
        "env": env,
        "registries": registry_hosts,
        "pod_disruption_budgets": [
            {"namespace": _namespace(o), "selector": _spec(o).get("selector") or {}}
            for o in objects
            if o.get("kind") == "PodDisruptionBudget"
        ],
        "horizontal_pod_autoscalers": [
            {
                "namespace": _namespace(o),
                "target_kind": (_spec(o).get("scaleTargetRef") or {}).get("kind"),
                "target_name": (_spec(o).get("scaleTargetRef") or {}).get("name"),
                "min_replicas": _spec(o).get("minReplicas", 1),  # the API's default
            }
            for o in objects
            if o.get("kind") == "HorizontalPodAutoscaler"
        ],
        "network_policies": [
            {"namespace": _namespace(o), "default_deny": is_default_deny(o)}
            for o in objects
            if o.get("kind") == "NetworkPolicy"
        ],
        "data_app_namespaces": sorted(
            {destination_namespace(a) for a in applications if _spec(a).get("project") == DATA_APPS_PROJECT} - {""}
        ),
        "ingress_namespaces": sorted(
            {
                destination_namespace(a)
                for a in applications
                if INGRESS_MARKER in str((a.get("metadata") or {}).get("name", ""))
            }
            - {""}
        ),
        "stateful_applications": stateful,
        # Clusters Argo CD deploys to: its application controller shards by destination cluster.
        "destination_clusters": sorted(
            {str((_spec(a).get("destination") or {}).get("server") or "") for a in applications} - {""}
        ),
    }


def write_context(context: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(context, indent=2, sort_keys=True), encoding="utf-8")
    return path
