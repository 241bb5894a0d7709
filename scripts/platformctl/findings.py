"""Findings: the one shape every gate reports in, printed as a table or as JSON.

A finding says what is wrong (`message`), where (`env`, `application`, `kind`/`name`, `file`) and how
to fix it (`fix`). Gates return lists of findings; only the command layer prints or exits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, order=True)
class Finding:
    gate: str
    env: str
    application: str
    kind: str
    name: str
    file: str
    message: str
    fix: str
    severity: str = field(default="error", compare=False)

    def one_line(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"env {self.env}" if self.env else "",
                f"application {self.application}" if self.application else "",
                f"{self.kind}/{self.name}" if self.kind or self.name else "",
                self.file,
            )
            if part
        )
        label = "ERROR" if self.severity == "error" else self.severity.upper()
        return f"{label} [{self.gate}] {where + ': ' if where else ''}{self.message} -> fix: {self.fix}"


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.severity == "error"]


def to_json(findings: Sequence[Finding]) -> str:
    return json.dumps([asdict(finding) for finding in sorted(findings)], indent=2)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain fixed-width table (no third-party dependency, readable in CI logs)."""
    cells = [[str(value) for value in row] for row in rows]
    widths = [max([len(header)] + [len(row[i]) for row in cells]) for i, header in enumerate(headers)]
    line = "  ".join("-" * width for width in widths)
    out = ["  ".join(header.ljust(widths[i]) for i, header in enumerate(headers)), line]
    out.extend("  ".join(value.ljust(widths[i]) for i, value in enumerate(row)) for row in cells)
    return "\n".join(out)
