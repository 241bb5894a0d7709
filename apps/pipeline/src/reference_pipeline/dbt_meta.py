"""What the dbt manifest says about a model or column in `meta`, read one way everywhere.

dbt keeps a resource's `meta` both as a property and under `config` (where dbt 1.10+ wants it, and where it
wins); the catalog, the Dagster translator, the owners, DataHub and the GE sample masking all read it here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def meta_of(props: Mapping[str, Any]) -> dict[str, Any]:
    """The `meta` of a manifest node or column: its property, overridden by `config.meta`."""
    return {**(props.get("meta") or {}), **((props.get("config") or {}).get("meta") or {})}


def pii_columns(manifest: Mapping[str, Any]) -> dict[str, set[str]]:
    """`layer.table` -> the columns its dbt model marks `meta.pii: true` (the layer is the model's schema config)."""
    found: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        table = f"{node['config'].get('schema')}.{node.get('alias') or node['name']}"
        for name, column in node.get("columns", {}).items():
            if meta_of(column).get("pii"):
                found.setdefault(table, set()).add(name)
    return found
