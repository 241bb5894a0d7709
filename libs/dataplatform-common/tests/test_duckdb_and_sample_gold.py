"""Sample gold generator (determinism, size flag, tables, catalog-driven shape) and the DuckDB backend on its
output. That the packaged catalog's shape comes out exactly: apps/exposition-api/tests/test_catalog_files.py."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest
import yaml
from dataplatform_common.gold_catalog import default_catalog_text
from dataplatform_common.normalise import PostalReference
from dataplatform_common.sample_gold import Sizes, generate, main
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
        orphans = con.execute("SELECT count(*) FROM claims c LEFT JOIN policies p USING (policy_id, customer_id) "
                              "WHERE p.policy_id IS NULL").fetchone()[0]  # fmt: skip
        assert orphans == 0
        meta = dict(con.execute("SELECT dataset, row_count FROM meta_refresh").fetchall())
        assert meta == counts and meta["claims"] == counts["claims"]
        assert con.execute("SELECT count(DISTINCT email) = count(*) FROM customers").fetchone()[0]
        reference = PostalReference.from_rows(
            con.execute("SELECT postal_code, commune FROM ref_postal_codes").fetchall()
        )
        assert len(reference) == len(PostalReference.packaged())
        # The aggregates agree with the rows they summarise, as the gold models compute them.
        claims_total = con.execute("SELECT sum(claims_count), sum(claims_amount_eur) FROM policies").fetchone()
        assert claims_total == con.execute("SELECT count(*), sum(amount_eur) FROM claims").fetchone()
        policies_total = con.execute("SELECT sum(policies_count) FROM customers").fetchone()[0]
        assert policies_total == counts["policies"]


def test_the_catalog_shapes_the_tables(tmp_path: Path) -> None:
    """A column or dataset the pipeline adds to the catalog comes out without a code change, in order and type."""
    catalog = yaml.safe_load(default_catalog_text())
    claims = catalog["datasets"]["claims"]
    claims["columns"].insert(1, {"name": "_loaded_at", "type": "TIMESTAMP"})
    claims["columns"] = [c for c in claims["columns"] if c["name"] != "description"]
    catalog["datasets"]["brokers"] = {
        "table": "brokers",
        "unique_key": ["broker_code", "since"],
        "columns": [{"name": "broker_code", "type": "VARCHAR"}, {"name": "since", "type": "DATE"},
                    {"name": "fee_rate", "type": "DECIMAL(5,4)"}, {"name": "agents", "type": "INTEGER"}],
    }  # fmt: skip
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog), encoding="utf-8")
    counts = generate(tmp_path / "gold.duckdb", 2_000, catalog=path)
    with duckdb.connect(str(tmp_path / "gold.duckdb"), read_only=True) as con:
        described = con.execute("SELECT column_name, column_type FROM (DESCRIBE claims)").fetchall()
        assert described[:3] == [("claim_id", "VARCHAR"), ("_loaded_at", "TIMESTAMP"), ("policy_id", "VARCHAR")]
        assert "description" not in {name for name, _ in described}
        assert con.execute("SELECT count(DISTINCT _loaded_at) > 1 FROM claims").fetchone()[0]
        brokers = con.execute("SELECT column_name, column_type FROM (DESCRIBE brokers)").fetchall()
        assert brokers == [("broker_code", "VARCHAR"), ("since", "DATE"), ("fee_rate", "DECIMAL(5,4)"),
                           ("agents", "INTEGER")]  # fmt: skip
        assert con.execute("SELECT count(DISTINCT broker_code) = count(*) FROM brokers").fetchone()[0]
    assert counts["brokers"] > 0


def test_one_large_table_alone(tmp_path: Path) -> None:
    counts = generate(tmp_path / "p.duckdb", sizes=Sizes(customers=10, policies=3_000, claims=10), tables=["policies"])
    assert counts == {"policies": 3_000}


def test_a_catalog_without_a_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("datasets: {x: {table: x, unique_key: [a], columns: [{name: b, type: VARCHAR}]}}\n")
    with pytest.raises(ValueError, match="dataset x needs columns and a unique_key among them"):
        generate(tmp_path / "x.duckdb", 1_000, catalog=path)


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
