"""Human output of the policy gate: one table per environment, then each failure on one line."""

from __future__ import annotations

import re
from collections.abc import Sequence

from platformctl.findings import Finding, format_table
from platformctl.policy.gate import PolicyReport
from platformctl.policy.results import EXCEPTED, FAILED, PolicyResult

SCOPES_LAST = ("repository (dockerfile, secrets, exceptions)",)


def _natural(check_id: str) -> tuple[object, ...]:
    """CKV_PLATFORM_2 before CKV_PLATFORM_10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", check_id))


def to_finding(result: PolicyResult) -> Finding:
    kind, _, name = result.object.partition("/")
    location = f"{result.file}:{result.line}" if result.line else result.file
    return Finding(
        gate="policy",
        env=result.env,
        application=result.application,
        kind=kind,
        name=name,
        file=location,
        message=f"{result.check_id} {result.title}",
        fix=result.fix,
        severity="error" if result.status == FAILED else "excepted",
    )


def tables(report: PolicyReport) -> str:
    blocks: list[str] = []
    scopes = [*report.envs, ""]
    for scope in scopes:
        rows = sorted(
            (r for r in report.results if r.env == scope),
            key=lambda r: (r.status != FAILED, r.status != EXCEPTED, _natural(r.check_id), r.object),
        )
        if not rows:
            continue
        title = f"policy: env {scope}" if scope else f"policy: {SCOPES_LAST[0]}"
        counts = {s: sum(1 for r in rows if r.status == s) for s in ("PASSED", FAILED, EXCEPTED)}
        summary = ", ".join(f"{count} {status.lower()}" for status, count in counts.items())
        table = format_table(
            ("check", "object", "file", "status"), [(r.check_id, r.object, r.file, r.status) for r in rows]
        )
        blocks.append(f"{title} ({summary})\n{table}")
    return "\n\n".join(blocks)


def failure_lines(results: Sequence[PolicyResult]) -> list[str]:
    return [to_finding(r).one_line() for r in sorted(results) if r.status == FAILED]
