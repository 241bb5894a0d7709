"""Which virtualenv a project package belongs to, from its pyproject.toml (stdlib only: runs before any venv).

An app says it is a pipeline (Dagster code location, installed into .venv/pipelines and tested by
`make test-pipeline`, never by the tooling venv) with, in its pyproject.toml:

    [tool.platform]
    venv = "pipelines"

Every other package belongs to the tooling venv.
    python3 scripts/bootstrap/app_venv.py pipelines   # one project folder a line, e.g. ./apps/pipeline
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

DEFAULT_VENV = "tooling"
SKIPPED = {".venv", ".tools", ".cache", "build", ".git", "node_modules"}


def venv_of(pyproject: Path) -> str:
    with pyproject.open("rb") as handle:
        data = tomllib.load(handle)
    return str(data.get("tool", {}).get("platform", {}).get("venv", DEFAULT_VENV))


def packages(root: Path, venv: str) -> list[Path]:
    """Project folders (relative to root) whose pyproject.toml assigns them to `venv`."""
    found = []
    for pyproject in root.rglob("pyproject.toml"):
        relative = pyproject.relative_to(root)
        if SKIPPED.intersection(relative.parts) or "templates" in relative.parts:
            continue
        if venv_of(pyproject) == venv:
            found.append(relative.parent)
    return sorted(found)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: app_venv.py VENV", file=sys.stderr)
        return 2
    root = Path(__file__).resolve().parents[2]
    for folder in packages(root, argv[0]):
        print("." if folder == Path() else f"./{folder.as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
