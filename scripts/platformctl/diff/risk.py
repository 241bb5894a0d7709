"""Which changes a reviewer must look at twice."""

from __future__ import annotations

CRD = "CustomResourceDefinition"
STATEFUL_KINDS = frozenset({"PersistentVolumeClaim", "StatefulSet", "PersistentVolume"})
RBAC_KINDS = frozenset({"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"})
ACCESS_KINDS = RBAC_KINDS | {"AppProject"}


def flags(env: str, kind: str, change: str) -> list[str]:
    """Risk flags of one object change (`change` is "added", "changed" or "removed")."""
    found = []
    if change == "removed":
        found.append("deletion")
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
