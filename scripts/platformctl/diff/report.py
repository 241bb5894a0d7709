"""The diff as text for a terminal and as Markdown for a pull request comment (size-capped)."""

from __future__ import annotations

import re

from platformctl.diff.compare import ApplicationDiff
from platformctl.findings import format_table

# GitHub rejects comments above 65,536 characters; keep room for the marker and the note.
DEFAULT_MAX_CHARS = 60_000


def _counts(diff: ApplicationDiff) -> str:
    return f"+{diff.count('added')} ~{diff.count('changed')} -{diff.count('removed')}"


def summary_rows(diffs: list[ApplicationDiff]) -> list[list[str]]:
    return [[d.env, d.application, _counts(d), ", ".join(d.flags) or "-", "; ".join(d.notes) or "-"] for d in diffs]


def text_report(diffs: list[ApplicationDiff], base: str, head: str, problems: list[str]) -> str:
    out = [f"platformctl diff {base}..{head}"]
    if not diffs:
        out.append("no rendered object changes in any environment")
    else:
        out.append(format_table(["env", "application", "objects", "risk", "notes"], summary_rows(diffs)))
        for diff in diffs:
            for change in diff.changes:
                flags = f"  [{', '.join(change.flags)}]" if change.flags else ""
                out.append(f"\n== {diff.env} / {diff.application}: {change.change} {change.identity}{flags}")
                out.append(change.diff.rstrip("\n"))
    out += [f"note: {problem}" for problem in problems]
    return "\n".join(out) + "\n"


def _risk_badge(flags: list[str]) -> str:
    return f" ⚠️ {', '.join(flags)}" if flags else ""


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _section(diff: ApplicationDiff) -> str:
    lines = [f"<details><summary><b>{diff.env}</b> / <code>{diff.application}</code>: {_counts(diff)}"]
    lines[0] += _risk_badge(diff.flags) + "</summary>\n"
    lines += [f"_{note}_\n" for note in diff.notes]
    for change in diff.changes:
        lines.append(f"**{change.change}** `{change.identity}`{_risk_badge(list(change.flags))}\n")
        fence = "`" * max(3, _longest_backtick_run(change.diff) + 1)  # a value must not close the block
        lines.append(f"{fence}diff\n{change.diff.rstrip()}\n{fence}\n")
    lines.append("</details>\n")
    return "\n".join(lines)


def markdown_report(
    diffs: list[ApplicationDiff], base: str, head: str, problems: list[str], max_chars: int = DEFAULT_MAX_CHARS
) -> str:
    """Summary table, then one collapsed section per Application; sections that do not fit are cut, with a note."""
    head_lines = [f"### Rendered diff `{base}` → `{head}`\n"]
    if not diffs:
        head_lines.append("No rendered object changes in any environment.\n")
    else:
        risky = [d for d in diffs if d.flags]
        head_lines.append(
            f"{len(diffs)} Application(s) change; {len(risky)} with risk flags "
            "(deletion, prod, CRD, stateful, access).\n"
        )
        head_lines.append("| env | Application | objects | risk | notes |\n|---|---|---|---|---|")
        head_lines += [f"| {' | '.join(row)} |" for row in summary_rows(diffs)]
        head_lines.append("")
    if problems:
        head_lines.append("<details><summary>Render findings</summary>\n")
        head_lines += [f"- {problem}" for problem in problems]
        head_lines.append("\n</details>\n")
    text = "\n".join(head_lines) + "\n"
    for index, diff in enumerate(diffs):
        section = _section(diff)
        if len(text) + len(section) > max_chars:
            left = len(diffs) - index
            text += (
                f"\n> ✂️ Cut at {max_chars} characters: {left} more Application section(s) not shown. "
                f"Run `platformctl diff --base {base} --head {head}` for everything.\n"
            )
            break
        text += section + "\n"
    return text
