"""Field-level drift between the body `aks apply` would send and what ARM returns for the live resource.

Only fields the desired body sets are compared: ARM adds read-only and defaulted fields (provisioning
state, fqdn, node image versions, ...) that are not drift. ARM normalises the case of enum values and
resource ids (`Standard` for `standard`), so strings and keys compare case-insensitively. Lists of
objects with a `name` (node pools) are matched by name; lists of scalars compare as sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Fields the platform does not own after creation: the cluster autoscaler moves `count`.
IGNORED_FIELDS = frozenset({"count"})
MISSING = "<absent>"


@dataclass(frozen=True)
class Drift:
    resource: str
    field: str
    desired: Any
    live: Any


def field_drift(resource: str, desired: Any, live: Any, path: str = "") -> list[Drift]:
    if isinstance(desired, dict):
        if not isinstance(live, dict):
            return [Drift(resource, path or "(resource)", "<object>", _show(live))]
        live_by_key = {str(key).lower(): value for key, value in live.items()}
        drifts: list[Drift] = []
        for key, value in desired.items():
            if key in IGNORED_FIELDS:
                continue
            child = f"{path}.{key}" if path else key
            if str(key).lower() not in live_by_key:
                if value not in ({}, [], None):
                    drifts.append(Drift(resource, child, _show(value), MISSING))
                continue
            drifts.extend(field_drift(resource, value, live_by_key[str(key).lower()], child))
        return drifts
    if isinstance(desired, list) and desired and all(isinstance(item, dict) and "name" in item for item in desired):
        return _named_list_drift(resource, desired, live, path)
    if isinstance(desired, list):
        live_list = live if isinstance(live, list) else []
        if live is None and not desired:
            return []
        if sorted(map(_normal, desired)) != sorted(map(_normal, live_list)) or not isinstance(live, list):
            return [Drift(resource, path, _show(desired), _show(live))]
        return []
    if _normal(desired) != _normal(live):
        return [Drift(resource, path, _show(desired), _show(live))]
    return []


def _named_list_drift(resource: str, desired: list[dict[str, Any]], live: Any, path: str) -> list[Drift]:
    live_items = {str(item.get("name", "")).lower(): item for item in live or [] if isinstance(item, dict)}
    drifts: list[Drift] = []
    for item in desired:
        child = f"{path}[{item['name']}]"
        match = live_items.pop(str(item["name"]).lower(), None)
        if match is None:
            drifts.append(Drift(resource, child, "<present>", MISSING))
        else:
            drifts.extend(field_drift(resource, item, match, child))
    drifts.extend(Drift(resource, f"{path}[{name}]", MISSING, "<present>") for name in sorted(live_items))
    return drifts


def _normal(value: Any) -> Any:
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _show(value: Any) -> str:
    if value is None:
        return MISSING
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."
