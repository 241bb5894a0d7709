"""Comparing two renders of one environment, Application by Application."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from platformctl.diff.normalise import identity, normalise, to_text
from platformctl.diff.risk import flags, prune_disabled

ROOT = "_root (app-of-apps)"  # the Applications and AppProjects the app-of-apps chart renders


@dataclass(frozen=True)
class ObjectChange:
    identity: str
    kind: str
    change: str  # added | changed | removed
    diff: str  # unified diff of the normalised YAML
    flags: tuple[str, ...]


@dataclass
class ApplicationDiff:
    env: str
    application: str
    changes: list[ObjectChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "upstream chart not rendered on either side"

    def count(self, change: str) -> int:
        return sum(1 for c in self.changes if c.change == change)

    @property
    def flags(self) -> list[str]:
        return sorted({flag for change in self.changes for flag in change.flags})


@dataclass(frozen=True)
class Side:
    """One render of an Application: its objects, or None when the Application does not exist there."""

    objects: list[dict[str, Any]] | None
    rendered: bool = True
    why_not_rendered: str = ""
    failed: bool = False  # helm failed: its objects are unknown, not absent


def _index(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {identity(obj): normalise(obj) for obj in objects if isinstance(obj, dict)}


def _unified(before: str, after: str, name: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"base/{name}", f"head/{name}", n=3
    )
    return "".join(lines)


def compare_application(env: str, application: str, base: Side, head: Side) -> ApplicationDiff:
    result = ApplicationDiff(env, application)
    if base.objects is None:
        result.notes.append("new Application")
    if head.objects is None:
        result.notes.append("Application removed")
    for label, side in (("base", base), ("head", head)):
        if side.objects is not None and not side.rendered:
            result.notes.append(f"not rendered in {label}: {side.why_not_rendered or 'see the render findings'}")
    if base.failed or head.failed:
        return result  # comparing with an unknown side would report every object as added or removed
    old, new = _index(base.objects or []), _index(head.objects or [])
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        change = "added" if before is None else "removed" if after is None else "changed"
        kind = str((after or before or {}).get("kind", "?"))
        text_before = to_text(before) if before is not None else ""
        text_after = to_text(after) if after is not None else ""
        kept = before is not None and prune_disabled(before)
        risk = tuple(flags(env, kind, change, kept=kept))
        result.changes.append(ObjectChange(key, kind, change, _unified(text_before, text_after, key), risk))
    return result
