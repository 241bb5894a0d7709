"""docs/runbook-new-environment.md stays runnable: every platformctl command in it parses."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from platformctl.cli import build_parser

RUNBOOK = "docs/runbook-new-environment.md"


def _runbook_commands(repo_root: Path) -> list[str]:
    text = (repo_root / RUNBOOK).read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL)
    lines = [line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("platformctl ")]


def test_runbook_has_the_whole_flow(repo_root: Path) -> None:
    actions = {" ".join(command.split()[1:3]) for command in _runbook_commands(repo_root)}
    assert {"aks check", "aks plan", "aks apply", "aks diff", "bootstrap <env>"} <= actions


@pytest.mark.parametrize("command", _runbook_commands(Path(__file__).resolve().parents[2]))
def test_runbook_command_parses(command: str) -> None:
    argv = shlex.split(command.replace("<env>", "dev"))[1:]
    args = build_parser().parse_args(argv)
    assert callable(args.func)
