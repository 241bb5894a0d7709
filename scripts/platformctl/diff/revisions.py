"""Checking out a git revision beside the repository (a detached `git worktree`), removed afterwards."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from platformctl.errors import PlatformError


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise PlatformError("git is not installed", fix="install git") from error
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise PlatformError(f"git {' '.join(args)} in {root}: {message}", fix="check the revision and the checkout")
    return done.stdout.strip()


def resolve(root: Path, ref: str) -> str:
    """The commit `ref` names (a branch, tag, SHA or expression such as origin/main~1)."""
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except PlatformError as error:
        raise PlatformError(
            f"revision {ref!r} is not a commit of {root}", fix="fetch it first (CI: actions/checkout fetch-depth: 0)"
        ) from error


@contextmanager
def checkout(root: Path, ref: str) -> Iterator[Path]:
    """A read-only view of `ref`: a detached worktree in a temporary folder, removed on exit."""
    commit = resolve(root, ref)
    with tempfile.TemporaryDirectory(prefix="platformctl-diff-") as folder:
        tree = Path(folder) / commit[:12]
        _git(root, "worktree", "add", "--detach", "--quiet", str(tree), commit)
        try:
            yield tree
        finally:
            _git(root, "worktree", "remove", "--force", str(tree))
