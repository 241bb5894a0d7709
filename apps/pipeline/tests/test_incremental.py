"""Incremental silver and gold (macros/incremental.sql): an hourly run gives what a full rebuild gives.

Drops 1-3 are built, then drop 4 arrives with what incremental models get wrong when they only look at new
rows: re-sent customers (updates), late claims and premiums, a customer row older than the current version
(it must lose), a policy moved to another holder and one to a holder not delivered yet (it leaves gold,
with its claims), a claim moved to another policy and one whose amount became unreadable. After the
incremental run every silver and gold table must equal, row for row, what `--full-refresh` builds from the
same bronze; sentinels written into untouched silver rows prove that the run recomputed only the keys the
new rows touch (a silent full rebuild would erase them), and a sentinel erased by `--full-refresh` proves
that the flag reaches dbt.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.slow

INCREMENTAL = {  # incremental model -> unique key
    "silver_customers": "customer_id",
    "silver_policies": "policy_id",
    "silver_claims": "claim_id",
    "silver_premiums": "premium_id",
    "gold_customers": "customer_id",
    "gold_policies": "policy_id",
    "gold_claims": "claim_id",
}
# A column per incremental silver table that no check judges, set to a sentinel in one untouched row.
SENTINELS = {
    "customers": ("customer_id", "first_name", "'SENTINEL'"),
    "policies": ("policy_id", "annual_premium", "99999.99"),
    "claims": ("claim_id", "description", "'SENTINEL'"),
    "premiums": ("premium_id", "amount_eur", "199.99"),
}
LATER = "2030-01-01 00:00:00"  # newer than every generated version


def _query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    """A correction file of drop 4 (every value as text, as the producers' files are read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        lines = [",".join(rows[0])] + [",".join(row.values()) for row in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _corrections(warehouse: Path, landing: Path) -> dict[str, str]:
    """Write drop 4's corrections for keys drops 1-3 built; returns the keys they are about."""
    policies = _query(
        warehouse,
        "select p.policy_id, p.customer_id, p.product from gold.policies p "
        "where p.policy_id in (select policy_id from gold.claims) order by p.policy_id limit 2",
    )
    (gone, _, gone_product), (moved, holder, product) = policies
    new_holder = _query(warehouse, "select max(customer_id) from gold.customers where customer_id <> ?", [holder])[0][0]
    claims = _query(
        warehouse,
        "select claim_id, policy_id, claim_date, postal_code from silver.claims "
        "where policy_id not in (?, ?) order by claim_id limit 2",
        [gone, moved],
    )
    (moved_claim, _, claim_date, postal), (unreadable_claim, its_policy, _, _) = claims
    late_customer = _query(warehouse, "select min(customer_id) from silver.customers")[0][0]
    policy = {"status": "ACTIVE", "start_date": "2024-01-02", "annual_premium": "500.00", "updated_at": LATER}
    _write(
        landing / "policies" / "drop_0004_corrections.parquet",
        [
            {"policy_id": gone, "customer_id": "CUS-9999999", "product": gone_product, **policy},
            {"policy_id": moved, "customer_id": new_holder, "product": product, **policy},
        ],
    )
    claim = {"claim_date": str(claim_date), "status": "OPEN", "postal_code": postal, "description": "storm"}
    _write(
        landing / "claims" / "drop_0004_corrections.csv",
        [
            {"claim_id": moved_claim, "policy_id": moved, "amount_eur": "100.00", "reported_at": LATER, **claim},
            {"claim_id": unreadable_claim, "policy_id": its_policy, "amount_eur": "n/a", "reported_at": LATER, **claim},
        ],
    )
    _write(
        landing / "customers" / "drop_0004_corrections.csv",
        [
            {
                "customer_id": late_customer,
                "first_name": "late",
                "last_name": "row",
                "email": "late.row@example.com",
                "mobile_phone": "0612345678",
                "birth_date": "1970-01-01",
                "postal_code": postal,
                "address": "1 rue du Retard",
                "updated_at": "2000-01-01T00:00:00",  # older than the version drops 1-3 delivered: loses
            }
        ],
    )
    return {
        "gone": gone,
        "moved": moved,
        "new_holder": new_holder,
        "moved_claim": moved_claim,
        "unreadable_claim": unreadable_claim,
        "late_customer": late_customer,
    }


def _touched_by_drop_4(landing: Path, entity: str, key: str) -> set[str]:
    files = sorted((landing / entity).glob("drop_0004*"))
    with duckdb.connect() as con:
        rows = []
        for path in files:
            reader = "read_csv" if path.suffix == ".csv" else "read_parquet"
            rows += con.execute(f"select upper(trim(cast({key} as varchar))) from {reader}(?)", [str(path)]).fetchall()
    return {row[0] for row in rows}


def _set_sentinels(warehouse: Path, untouched: dict[str, str]) -> dict[str, object]:
    """Write a sentinel into one untouched row per incremental silver table; returns the original values."""
    originals: dict[str, object] = {}
    with duckdb.connect(str(warehouse)) as con:
        for table, (key, column, value) in SENTINELS.items():
            where, row = f"where {key} = ?", [untouched[table]]
            originals[table] = con.execute(f"select {column} from silver.{table} {where}", row).fetchone()[0]
            con.execute(f"update silver.{table} set {column} = {value} {where}", row)
    return originals


def _sentinels(warehouse: Path, untouched: dict[str, str]) -> dict[str, object]:
    return {
        table: _query(warehouse, f"select {column} from silver.{table} where {key} = ?", [untouched[table]])[0][0]
        for table, (key, column, _) in SENTINELS.items()
    }


def _restore(warehouse: Path, untouched: dict[str, str], originals: dict[str, object]) -> None:
    with duckdb.connect(str(warehouse)) as con:
        for table, (key, column, _) in SENTINELS.items():
            con.execute(f"update silver.{table} set {column} = ? where {key} = ?", [originals[table], untouched[table]])


def _differences(built: Path, rebuilt: Path) -> dict[str, tuple[int, int]]:
    """Per silver and gold table: (rows only in `built`, rows only in `rebuilt`); empty when equal."""
    differences: dict[str, tuple[int, int]] = {}
    with duckdb.connect(str(rebuilt), read_only=True) as con:
        con.execute(f"attach '{built}' as built (read_only)")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = 'built' and schema_name in ('silver', 'gold') order by all"
        ).fetchall()
        assert len(tables) == 10, tables
        for schema, table in tables:
            # The reference is reloaded on every run: its load time differs, the rows may not.
            columns = "* exclude (_loaded_at)" if (schema, table) == ("silver", "postal_codes") else "*"
            a, b = f"select {columns} from built.{schema}.{table}", f"select {columns} from {schema}.{table}"
            only_built = con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
            only_rebuilt = con.execute(f"select count(*) from ({b} except all {a})").fetchone()[0]
            if only_built or only_rebuilt:
                differences[f"{schema}.{table}"] = (only_built, only_rebuilt)
    return differences


def test_an_incremental_run_equals_a_full_refresh(workspace, tmp_path: Path) -> None:
    warehouse, landing = workspace.settings.warehouse_path, workspace.settings.landing_dir
    workspace.generate(range(1, 4))
    assert workspace.run().success

    workspace.generate(range(4, 5))
    keys = _corrections(warehouse, landing)
    untouched = {}
    for table, (key, _, _) in SENTINELS.items():
        touched = _touched_by_drop_4(landing, table, key)
        untouched[table] = _query(
            warehouse, f"select min({key}) from silver.{table} where {key} not in (select unnest(?))", [sorted(touched)]
        )[0][0]
    originals = _set_sentinels(warehouse, untouched)

    result = workspace.run()
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    # Untouched rows were not recomputed: the normalisation UDFs ran on the new keys only.
    assert _sentinels(warehouse, untouched) == {"customers": "SENTINEL", "policies": Decimal("99999.99"),
                                                "claims": "SENTINEL", "premiums": Decimal("199.99")}  # fmt: skip
    # The corrections did what they say.
    gold_policies = dict(_query(warehouse, "select policy_id, customer_id from gold.policies"))
    assert keys["gone"] not in gold_policies and gold_policies[keys["moved"]] == keys["new_holder"]
    gold_claims = dict(_query(warehouse, "select claim_id, policy_id from gold.claims"))
    assert gold_claims[keys["moved_claim"]] == keys["moved"] and keys["unreadable_claim"] not in gold_claims
    assert not _query(warehouse, "select 1 from gold.claims where policy_id = ?", [keys["gone"]])
    late = _query(warehouse, "select first_name from silver.customers where customer_id = ?", [keys["late_customer"]])
    assert late != [("Late",)], "a row older than the current version replaced it"

    # Undo the sentinels, then an hourly run with nothing new: gold follows silver back.
    _restore(warehouse, untouched, originals)
    assert workspace.run().success
    built = tmp_path / "incremental.duckdb"
    shutil.copyfile(warehouse, built)

    _set_sentinels(warehouse, untouched)
    assert workspace.run(full_refresh=True).success
    assert _sentinels(warehouse, untouched) == originals, "--full-refresh did not rebuild silver"
    assert _differences(built, warehouse) == {}


@pytest.mark.parametrize(("target", "strategy"), [("snowflake", "merge"), ("duckdb", "delete+insert")])
def test_incremental_models_replace_rows_by_their_unique_key(parsed_models, target: str, strategy: str) -> None:
    configs = {node["name"]: node["config"] for node in parsed_models(target)}
    incremental = {name for name, config in configs.items() if config["materialized"] == "incremental"}
    assert incremental == set(INCREMENTAL)
    for name, key in INCREMENTAL.items():
        config = configs[name]
        assert (config["incremental_strategy"], config["unique_key"]) == (strategy, key), name
        assert config["on_schema_change"] == "fail", name  # a changed model waits for --full-refresh
