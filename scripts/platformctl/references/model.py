"""A reference from one object to another, and what is missing when it does not resolve."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from platformctl.references.inventory import Item


@dataclass(frozen=True, eq=False)
class Reference:
    """`source`'s `field` names a target: by name (group, kind, namespace, name), by `selector`, or both.

    `key` is a data key (Secret, ConfigMap) or a port (name or number); `namespaces` limits a selector
    to some namespaces (None: every namespace).
    """

    rule: str
    source: Item
    field: str
    group: str = ""
    kind: str = ""
    namespace: str = ""
    name: str = ""
    key: str | int | None = None
    selector: dict[str, Any] | None = None
    namespaces: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Miss:
    """An unresolved reference: its root cause (shared by every reference it breaks) and a hint.

    `scope` is the namespace the target would live in ('' when cluster-wide or any namespace): when an
    unrendered Application could hold it, the miss is undecidable and not reported.
    """

    root: tuple[str, ...]
    missing: str
    scope: str
    hint: str = ""
    kind: tuple[str, str] | None = None  # (group, kind) of a cluster-scoped target, when known
    certain: bool = False  # judged on what is rendered, whatever is not (see resolve_prometheus_selection)
