"""Threads per gunicorn worker follow the warehouse: 1 on embedded DuckDB, 4 on a remote warehouse."""

from __future__ import annotations

import importlib
import sys

import pytest
from dataplatform_common.worker_threads import EMBEDDED_THREADS, REMOTE_THREADS, default_threads


@pytest.mark.parametrize(
    ("url", "threads"),
    [
        (None, EMBEDDED_THREADS),
        ("duckdb:///data/gold.duckdb", EMBEDDED_THREADS),
        ("duckdb:///data/gold.duckdb?threads=1", EMBEDDED_THREADS),
        ("snowflake://org-acct/GOLD/PUBLIC?user=SVC", REMOTE_THREADS),
    ],
)
def test_threads_follow_the_warehouse(url: str | None, threads: int) -> None:
    assert default_threads(url) == threads


def _settings(monkeypatch: pytest.MonkeyPatch, tmp_path, **env: str):
    for name in ("GUNICORN_THREADS", "WAREHOUSE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "prom"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("dataplatform_common.gunicorn_settings", None)
    return importlib.import_module("dataplatform_common.gunicorn_settings")


def test_gunicorn_settings_use_the_warehouse_default_unless_told(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    assert _settings(monkeypatch, tmp_path).threads == EMBEDDED_THREADS
    assert _settings(monkeypatch, tmp_path, WAREHOUSE_URL="snowflake://org/GOLD/PUBLIC").threads == REMOTE_THREADS
    assert _settings(monkeypatch, tmp_path, WAREHOUSE_URL="snowflake://o/G/P", GUNICORN_THREADS="3").threads == 3
    sys.modules.pop("dataplatform_common.gunicorn_settings", None)
