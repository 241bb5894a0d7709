"""Sample gold generator (determinism, size flag, tables) and the DuckDB backend on its output."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest
from dataplatform_common.normalise import PostalReference
from dataplatform_common.sample_gold import generate, main
from dataplatform_common.warehouse import DuckDBWarehouse, QueryValueError, WarehouseUnavailableError, open_warehouse


def _digest(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = [con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in ("customers", "policies", "claims")]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_same_flags_same_data(tmp_path: Path) -> None:
    generate(tmp_path / "a.duckdb", 2_000)
    generate(tmp_path / "b.duckdb", 2_000)
    assert _digest(tmp_path / "a.duckdb") == _digest(tmp_path / "b.duckdb")


def test_tables_counts_and_integrity(tmp_path: Path) -> None:
    counts = generate(tmp_path / "gold.duckdb", 10_000)
    assert counts["customers"] + counts["policies"] + counts["claims"] == 10_000
    with duckdb.connect(str(tmp_path / "gold.duckdb"), read_only=True) as con:
        orphans = con.execute("SELECT count(*) FROM claims c LEFT JOIN policies p USING (policy_id) "
                              "WHERE p.policy_id IS NULL").fetchone()[0]  # fmt: skip
        assert orphans == 0
        meta = dict(con.execute("SELECT dataset, row_count FROM meta_refresh").fetchall())
        assert meta["claims"] == counts["claims"]
        assert con.execute("SELECT count(DISTINCT email) = count(*) FROM customers").fetchone()[0]
        reference = PostalReference.from_rows(
            con.execute("SELECT postal_code, commune FROM ref_postal_codes").fetchall()
        )
        assert len(reference) == len(PostalReference.packaged())


def test_size_flag_is_bounded(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--out", str(tmp_path / "x.duckdb"), "--rows", "5"]) == 2
    assert "--rows must be between" in capsys.readouterr().err


def test_duckdb_backend_reads_and_reports_bad_values(tmp_path: Path) -> None:
    path = tmp_path / "gold.duckdb"
    generate(path, 1_000)
    warehouse = open_warehouse(f"duckdb://{path}")
    assert isinstance(warehouse, DuckDBWarehouse)
    assert warehouse.query("SELECT count(*) FROM claims", operation="t").rows == [(250,)]
    assert warehouse.query_arrow("SELECT 1 AS a", operation="t").column_names == ["a"]
    with pytest.raises(QueryValueError):
        warehouse.query("SELECT CAST(? AS DECIMAL(4,2))", ["123456"], operation="t")


def test_missing_file_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(WarehouseUnavailableError, match="missing"):
        DuckDBWarehouse(tmp_path / "nope.duckdb").ping()


def test_duckdb_url_threads_option(tmp_path: Path) -> None:
    path = tmp_path / "gold.duckdb"
    generate(path, 1_000)
    warehouse = open_warehouse(f"duckdb://{path}?threads=1")
    assert warehouse.query("SELECT current_setting('threads')", operation="t").rows == [(1,)]
    with pytest.raises(ValueError, match="threads"):
        open_warehouse(f"duckdb://{path}?threads=zero")


def test_unknown_scheme_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown scheme"):
        open_warehouse("postgres://x")
