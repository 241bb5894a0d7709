"""Git revisions of this repository: what a person expects live, and whether a live revision has a change."""

from __future__ import annotations

import subprocess
from pathlib import Path

from platformctl.errors import PlatformError


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)


def resolve(root: Path, revision: str) -> str:
    """The full commit SHA of `revision` (a branch, tag or SHA) in the checkout at `root`."""
    result = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if result.returncode != 0:
        raise PlatformError(f"revision {revision!r} is unknown in {root}", fix="git fetch, or check the name")
    return result.stdout.strip()


def same(left: str, right: str) -> bool:
    return bool(left) and bool(right) and (left.startswith(right) or right.startswith(left))


def contains(root: Path, change: str, revision: str) -> bool:
    """Whether `revision` (a live revision) has the commit `change` in its history."""
    if same(change, revision):
        return True
    result = _git(root, "merge-base", "--is-ancestor", change, revision)
    if result.returncode in (0, 1):
        return result.returncode == 0
    raise PlatformError(
        f"revision {revision[:12]} (live) is not in this checkout: cannot tell whether it contains {change[:12]}",
        fix="git fetch origin, then run the command again",
    )


def last_change(root: Path, files: list[Path]) -> str:
    """The last commit that changed any of `files`; refused while one of them has uncommitted changes."""
    relative = [str(path.relative_to(root)) for path in files]
    dirty = [line[3:] for line in _git(root, "status", "--porcelain", "--", *relative).stdout.splitlines()]
    if dirty:
        raise PlatformError(
            f"uncommitted changes in {', '.join(dirty)}: the live environment cannot have them",
            fix="commit (and merge) the change first, then promote it",
        )
    sha = _git(root, "log", "-1", "--format=%H", "--", *relative).stdout.strip()
    if not sha:
        raise PlatformError(f"no commit has changed {', '.join(relative)}", fix="commit the pins first")
    return sha
