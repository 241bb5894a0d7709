"""The gold file disappears (or is locked by a writer): 503 + Retry-After, /readyz false; then recovery
without a restart, and a rebuilt file is picked up (new data version, caches dropped)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dataplatform_common.testing import make_gold
from dataplatform_common.warehouse import DuckDBWarehouse
from exposition_api import create_app

URL = "/v1/datasets/claims/rows?limit=3"


@pytest.fixture
def own_gold(gold_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "gold.duckdb"
    shutil.copy(gold_file, path)
    return path


def test_missing_file_is_503_then_recovers(own_gold: Path, tmp_path: Path, tokens) -> None:
    client = create_app(warehouse=DuckDBWarehouse(own_gold, recheck_seconds=0), verifier=tokens.verifier(),
                        cache_entries=0).test_client()  # fmt: skip
    headers = tokens.header("Data.Read.Internal")
    assert client.get(URL, headers=headers).status_code == 200

    own_gold.rename(tmp_path / "away.duckdb")
    down = client.get(URL, headers=headers)
    assert down.status_code == 503
    assert down.mimetype == "application/problem+json"
    assert int(down.headers["Retry-After"]) > 0
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["ready"] is False

    (tmp_path / "away.duckdb").rename(own_gold)
    assert client.get("/readyz").status_code == 200
    assert client.get(URL, headers=headers).status_code == 200


def test_locked_file_is_503(tmp_path: Path, tokens) -> None:
    path = tmp_path / "locked.duckdb"
    writer = duckdb.connect(str(path))  # a writer in *this* process: DuckDB refuses another configuration
    try:
        client = create_app(
            warehouse=DuckDBWarehouse(path, recheck_seconds=0), verifier=tokens.verifier()
        ).test_client()
        response = client.get(URL, headers=tokens.header("Data.Read.Internal"))
        assert response.status_code == 503
    finally:
        writer.close()


def test_rebuilt_file_is_picked_up_and_cache_invalidated(own_gold: Path, tmp_path: Path, tokens) -> None:
    client = create_app(
        warehouse=DuckDBWarehouse(own_gold, recheck_seconds=0), verifier=tokens.verifier()
    ).test_client()
    headers = tokens.header("Data.Read.Internal")
    before = client.get("/v1/datasets/claims/aggregate?group_by=status", headers=headers).json
    rebuilt = make_gold(tmp_path / "rebuilt", rows=2_000)
    rebuilt.replace(own_gold)
    after = client.get("/v1/datasets/claims/aggregate?group_by=status", headers=headers).json
    assert sum(r["count"] for r in after["data"]) == 500 < sum(r["count"] for r in before["data"])
