"""promtool, the real thing: check rule files, run rule unit tests, parse arbitrary PromQL."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

from platformctl.findings import Finding
from platformctl.tools import find_tool

GATE = "monitoring"


def _promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(find_tool("promtool")), *args], capture_output=True, text=True, timeout=120, cwd=cwd, check=False
    )


def _summary(result: subprocess.CompletedProcess[str]) -> str:
    text = (result.stdout + "\n" + result.stderr).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip() and "SUCCESS" not in line]
    return " | ".join(lines)[:1500]


def _failed_files(
    files: Sequence[Path], run: Callable[[Path], subprocess.CompletedProcess[str]], kind: str, fix: str
) -> list[Finding]:
    """One finding of kind per file whose promtool run fails, with promtool's own words."""
    found = []
    for path in files:
        result = run(path)
        if result.returncode != 0:
            found.append(Finding(GATE, "", "monitoring", kind, path.name, str(path), _summary(result), fix))
    return found


def check_rules(files: Sequence[Path]) -> list[Finding]:
    """`promtool check rules` on each file (syntax, PromQL, templates, duplicate names)."""
    return _failed_files(
        files,
        lambda path: _promtool("check", "rules", str(path)),
        "RuleFile",
        "fix the rule file; `promtool check rules FILE` shows the same",
    )


def test_rules(test_files: Sequence[Path]) -> list[Finding]:
    """`promtool test rules` on each unit-test file (run from its folder: rule_files are relative)."""
    return _failed_files(
        test_files,
        lambda path: _promtool("test", "rules", path.name, cwd=path.parent),
        "RuleTest",
        "fix the rule or the test's expectation; `promtool test rules FILE` shows the same",
    )


def check_expressions(named: Sequence[tuple[str, str]]) -> list[Finding]:
    """Parse each (name, PromQL) with promtool, one rule group per expression so errors name it."""
    groups = [{"name": name, "rules": [{"record": "promql:check", "expr": expr}]} for name, expr in named]
    if len({name for name, _ in named}) != len(named):
        raise ValueError("expression names must be unique (they name rule groups)")
    with tempfile.TemporaryDirectory(prefix="promql-check-") as folder:
        rules = Path(folder) / "expressions.rules.yaml"
        rules.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False), encoding="utf-8")
        result = _promtool("check", "rules", str(rules))
    if result.returncode == 0:
        return []
    # promtool reports every bad group: `group "<name>", rule 1, "promql:check": could not parse expression: ...`.
    found = []
    for line in (result.stdout + result.stderr).splitlines():
        for name, expr in named:
            if f'group "{name}"' in line:
                found.append(
                    Finding(
                        GATE,
                        "",
                        "monitoring",
                        "PromQL",
                        name,
                        "",
                        f"{line.strip()} (expr: {expr})",
                        "fix the expression (try it in Prometheus' /graph)",
                    )
                )
    if not found:  # never pass silently on an error we could not attribute
        found.append(Finding(GATE, "", "monitoring", "PromQL", "expressions", "", _summary(result), "fix the PromQL"))
    return found
