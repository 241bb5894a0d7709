"""The load gate's sample gold is cached per catalog: a stale file of another catalog is never reused."""

from __future__ import annotations

from pathlib import Path

import duckdb
from dataplatform_common.gold_catalog import catalog_digest, read_gold_tables

from platformctl.loadtest import app_server


def test_a_file_of_another_catalog_is_not_reused(tmp_path: Path) -> None:
    stale = tmp_path / "gold.duckdb"
    with duckdb.connect(str(stale)) as con:  # what an older catalog left behind
        con.execute("CREATE TABLE policies (policy_id VARCHAR, insurer VARCHAR)")
    path = app_server.ensure_sample_gold(stale)
    assert path == tmp_path / f"gold-{catalog_digest()}.duckdb"
    policies = next(t for t in read_gold_tables() if t.table == "policies")
    with duckdb.connect(str(path), read_only=True) as con:
        columns = [row[0] for row in con.execute("SELECT column_name FROM (DESCRIBE policies)").fetchall()]
    assert columns == [c.name for c in policies.columns]
    assert app_server.ensure_sample_gold(stale) == path  # generated once, then reused
