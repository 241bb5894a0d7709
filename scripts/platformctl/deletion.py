"""What deleting an Argo CD Application deletes: Argo CD's cascade, then Kubernetes' garbage collection.

Offline model of the two mechanisms that decide whether a Secret survives the deletion (or the rename,
which prunes the old Application) of a child Application:

- Argo CD: an Application carrying a `resources-finalizer.argocd.argoproj.io` finalizer (any variant)
  deletes every object it manages, except objects whose `argocd.argoproj.io/sync-options` annotation
  holds `Delete=false`. Without the finalizer, deleting the Application deletes nothing.
- Kubernetes: deleting a Namespace deletes everything in it; deleting a CustomResourceDefinition deletes
  every object of its kind; deleting an object deletes every object whose ownerReferences name it.
- External Secrets Operator: each ExternalSecret materialises a Secret (`spec.target.name`, default the
  ExternalSecret's name) whose only ownerReference is the ExternalSecret when `creationPolicy` is
  `Owner` (ESO's default); `Orphan`, `Merge` and `CreateOrMerge` Secrets have none.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from platformctl.manifests import ObjectKey, group_of

ARGO_FINALIZER = "resources-finalizer.argocd.argoproj.io"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"


def ref(obj: dict[str, Any]) -> ObjectKey:
    """The object's identity as rendered (namespace '' when it names none)."""
    metadata = obj.get("metadata") or {}
    return ObjectKey(group_of(str(obj.get("apiVersion", ""))), str(obj["kind"]), str(metadata.get("namespace") or ""),
                     str(metadata["name"]))  # fmt: skip


def cascades(application: dict[str, Any]) -> bool:
    """True when deleting the Application makes Argo CD delete what it manages."""
    finalizers = (application.get("metadata") or {}).get("finalizers") or []
    return any(f == ARGO_FINALIZER or f.startswith(ARGO_FINALIZER + "/") for f in finalizers)


def keeps_on_delete(obj: dict[str, Any]) -> bool:
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    options = [option.strip() for option in str(annotations.get(SYNC_OPTIONS, "")).split(",")]
    return "Delete=false" in options


def materialised_secrets(objects: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Secret ESO writes for each ExternalSecret among `objects`, with the ownerReference it sets."""
    secrets = []
    for obj in objects:
        if obj.get("kind") != "ExternalSecret" or not str(obj.get("apiVersion", "")).startswith("external-secrets.io/"):
            continue
        target = (obj.get("spec") or {}).get("target") or {}
        metadata = obj["metadata"]
        owned = target.get("creationPolicy", "Owner") == "Owner"
        owners = (
            [{"apiVersion": obj["apiVersion"], "kind": "ExternalSecret", "name": metadata["name"]}] if owned else []
        )
        secrets.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {
                    "name": target.get("name") or metadata["name"],
                    "namespace": metadata.get("namespace", ""),
                    "ownerReferences": owners,
                },
            }
        )
    return secrets


def _collected(obj: dict[str, Any], gone: set[ObjectKey], crds_gone: set[tuple[str, str]]) -> bool:
    """Whether the garbage collector deletes `obj` once `gone` are deleted."""
    me = ref(obj)
    if me.namespace and ObjectKey("", "Namespace", "", me.namespace) in gone:
        return True
    if (me.group, me.kind) in crds_gone:
        return True
    for owner in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ObjectKey(group_of(str(owner.get("apiVersion", ""))), owner["kind"], me.namespace, owner["name"]) in gone:
            return True
    return False


def delete_application(
    application: dict[str, Any], managed: Iterable[dict[str, Any]], cluster: Iterable[dict[str, Any]]
) -> set[ObjectKey]:
    """Every object of `cluster` that deleting `application` (managing `managed`) ends up deleting."""
    objects = {ref(obj): obj for obj in cluster}
    gone = {ref(obj) for obj in managed if not keeps_on_delete(obj)} if cascades(application) else set()
    while True:
        crds_gone = {
            (objects[r]["spec"]["group"], objects[r]["spec"]["names"]["kind"])
            for r in gone
            if r.kind == "CustomResourceDefinition" and r in objects
        }
        more = {r for r, obj in objects.items() if r not in gone and _collected(obj, gone, crds_gone)}
        if not more:
            return gone
        gone |= more
