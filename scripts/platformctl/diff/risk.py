"""Which changes a reviewer must look at twice."""

from __future__ import annotations

CRD = "CustomResourceDefinition"
STATEFUL_KINDS = frozenset({"PersistentVolumeClaim", "StatefulSet", "PersistentVolume"})
RBAC_KINDS = frozenset({"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"})
ACCESS_KINDS = RBAC_KINDS | {"AppProject"}


def prune_disabled(obj: dict) -> bool:
    """Argo CD keeps the live object when it leaves Git (sync option Prune=false or Delete=false)."""
    options = str(((obj.get("metadata") or {}).get("annotations") or {}).get("argocd.argoproj.io/sync-options", ""))
    return "Prune=false" in options


def flags(env: str, kind: str, change: str, *, kept: bool = False) -> list[str]:
    """Risk flags of one object change (`change` is "added", "changed" or "removed").

    `kept`: the removed object carries Prune=false, so Argo CD leaves it running (orphaned) instead.
    """
    found = []
    if change == "removed":
        found.append("orphaned (Prune=false)" if kept else "deletion")
    if env == "prod":
        found.append("prod")
    if kind == CRD:
        found.append("CRD")
    if kind in STATEFUL_KINDS:
        found.append("stateful")
    if kind in ACCESS_KINDS:
        found.append("access (RBAC/AppProject)")
    if kind == "Application" and change == "removed":
        found.append("Application removed (cascade delete)")
    return found
