"""Labels of objects and pod templates, and resource names, as the API server sees them for webhooks
(label selectors themselves: platformctl.selectors)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Built-in kinds whose resource name is not "lowercase kind + s".
_IRREGULAR_PLURALS = {
    "Endpoints": "endpoints",
    "Ingress": "ingresses",
    "IngressClass": "ingressclasses",
    "StorageClass": "storageclasses",
    "PriorityClass": "priorityclasses",
    "RuntimeClass": "runtimeclasses",
    "NetworkPolicy": "networkpolicies",
    "PodSecurityPolicy": "podsecuritypolicies",
}


def resource_of(kind: str, plurals: Mapping[tuple[str, str], str], group: str) -> str:
    """The resource (plural) of a kind: from its CRD when known, else the API's built-in naming."""
    if (group, kind) in plurals:
        return plurals[(group, kind)]
    if kind in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[kind]
    lower = kind.lower()
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return lower[:-1] + "ies"
    if lower.endswith(("s", "x", "ch", "sh")):
        return lower + "es"
    return lower + "s"


def labels_of(obj: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in ((obj.get("metadata") or {}).get("labels") or {}).items()}


def pod_template_labels(obj: Mapping[str, Any]) -> dict[str, str] | None:
    """Labels of the pods a workload creates (None for objects that create no pods)."""
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        return labels_of(obj)
    if kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}:
        return labels_of(spec.get("template") or {})
    if kind == "CronJob":
        return labels_of(((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {})
    return None
