"""Repository-level test configuration shared by every gate's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


# `--kubeconfig` (cluster tests) is the option of the pytest-helm-charts plugin.


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
