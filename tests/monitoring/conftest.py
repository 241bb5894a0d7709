"""Fixtures of the monitoring gate's tests: the checkout layout and helm/promtool availability."""

from __future__ import annotations

from pathlib import Path

import pytest

from platformctl.monitoring.gate import Layout


@pytest.fixture(scope="session")
def layout(repo_root: Path) -> Layout:
    return Layout(repo_root)
