"""Fixtures of the policy gate's tests: a small repository copy with a compliant rendered tree."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ENVS = ("dev", "staging", "prod")


@pytest.fixture
def policy_repo(tmp_path: Path, repo_root: Path) -> Callable[..., Path]:
    """A repository copy: real clusters/ and policies/, fixture platform.yaml, values and rendered tree.

    The rendered output of every env is the compliant fixture; tests seed violations into the copy.
    """

    def make(exceptions: str = "exceptions: []\n") -> Path:
        root = tmp_path / "repo"
        shutil.copytree(repo_root / "clusters", root / "clusters")
        shutil.copytree(repo_root / "policies", root / "policies", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(FIXTURES / "repo" / "platform", root / "platform")
        (root / "policies" / "exceptions.yaml").write_text(exceptions, encoding="utf-8")
        for env in ENVS:
            shutil.copy(FIXTURES / "repo" / "platform.yaml", root / "clusters" / env / "platform.yaml")
            shutil.copytree(FIXTURES / "compliant", root / "rendered" / env)
        return root

    return make
