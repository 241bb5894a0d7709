"""The smoke suite itself: it skips with its reason without a kubeconfig and fails (never passes) on a dead cluster."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SUITE = Path(__file__).with_name("test_smoke.py")


def _run_suite(tmp_path: Path, *extra: str, kubeconfig: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"KUBECONFIG", "PLATFORM_ENV"}}
    if kubeconfig:
        env["KUBECONFIG"] = kubeconfig
    command = [sys.executable, "-m", "pytest", str(SUITE), "-p", "no:cacheprovider", "-rs", "-q", *extra]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False)


@pytest.mark.slow
def test_skips_with_a_clear_reason_without_kubeconfig(tmp_path: Path) -> None:
    result = _run_suite(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "4 skipped" in result.stdout
    assert "no kubeconfig: the cluster smoke suite needs a live cluster" in result.stdout


@pytest.mark.slow
def test_fails_against_an_unreachable_cluster(tmp_path: Path, unreachable_kubeconfig: Path) -> None:
    result = _run_suite(tmp_path, "--kubeconfig", str(unreachable_kubeconfig))
    assert result.returncode == 1, result.stdout
    assert "4 errors" in result.stdout or "4 failed" in result.stdout, result.stdout
    assert "cluster https://127.0.0.1:1 from" in result.stdout and "unreachable" in result.stdout
