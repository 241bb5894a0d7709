"""Misses as findings: one finding per root cause, naming every object it breaks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from platformctl.findings import Finding
from platformctl.references.model import Miss, Reference
from platformctl.references.rules import RULES

GATE = "references"
MAX_LISTED = 5


def findings(env: str, misses: Iterable[tuple[Reference, Miss]]) -> list[Finding]:
    grouped: dict[tuple[str, ...], list[tuple[Reference, Miss]]] = defaultdict(list)
    for ref, miss in misses:
        grouped[miss.root].append((ref, miss))
    out: list[Finding] = []
    for group in grouped.values():
        group.sort(key=lambda pair: (pair[0].source.app, str(pair[0].source), pair[0].field))
        ref, miss = group[0]
        rule = RULES[ref.rule]
        message = f"{ref.source}: {ref.field} refers to {miss.missing}"
        if miss.hint:
            message += f"; did you mean {miss.hint}?"
        first = f"{ref.source} ({ref.field})"
        others = _others([pair for pair in group[1:] if f"{pair[0].source} ({pair[0].field})" != first])
        if others:
            message += f"; also referred to by {others}"
        message += f" ({rule.why})"
        source = ref.source
        out.append(Finding(GATE, env, source.app, source.kind, source.name, source.file, message, rule.fix))
    return out


def _others(rest: list[tuple[Reference, Miss]]) -> str:
    listed = sorted({f"{ref.source} ({ref.field})" for ref, _ in rest})
    text = ", ".join(listed[:MAX_LISTED])
    return text + (f" and {len(listed) - MAX_LISTED} more" if len(listed) > MAX_LISTED else "")
