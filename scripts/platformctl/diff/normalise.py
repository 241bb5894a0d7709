"""Rendered objects in a comparable form: identity key, volatile fields dropped, secrets redacted."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import yaml

# Set by the API server or controllers, never by Git: they would make every render look changed.
_VOLATILE_METADATA = ("creationTimestamp", "generation", "managedFields", "resourceVersion", "selfLink", "uid")


def identity(obj: dict[str, Any]) -> str:
    """`group/Kind namespace/name`: what Kubernetes considers the same object."""
    api_version = str(obj.get("apiVersion", ""))
    group = api_version.split("/")[0] if "/" in api_version else "core"
    metadata = obj.get("metadata") or {}
    namespace = metadata.get("namespace")
    where = f"{namespace}/{metadata.get('name', '?')}" if namespace else str(metadata.get("name", "?"))
    return f"{group}/{obj.get('kind', '?')} {where}"


def _redact(value: Any) -> str:
    digest = hashlib.sha256(str(value).encode()).hexdigest()[:12]
    return f"<redacted sha256:{digest}>"


def normalise(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy without volatile fields or status; Secret values replaced by a short hash (PR comments are public)."""
    clean = copy.deepcopy(obj)
    clean.pop("status", None)
    metadata = clean.get("metadata")
    if isinstance(metadata, dict):
        for name in _VOLATILE_METADATA:
            metadata.pop(name, None)
        if not metadata.get("annotations"):
            metadata.pop("annotations", None)
        if not metadata.get("labels"):
            metadata.pop("labels", None)
    if clean.get("kind") == "Secret":
        for field in ("data", "stringData"):
            if isinstance(clean.get(field), dict):
                clean[field] = {key: _redact(value) for key, value in clean[field].items()}
    return clean


def to_text(obj: dict[str, Any]) -> str:
    """Stable YAML: sorted keys, block style, so a diff shows only real changes."""
    return yaml.safe_dump(obj, sort_keys=True, default_flow_style=False, width=10_000)
