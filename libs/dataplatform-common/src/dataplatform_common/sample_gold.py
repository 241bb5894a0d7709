"""Deterministic sample gold layer of an insurance broker, written to a DuckDB file.

    python -m dataplatform_common.sample_gold --out build/gold.duckdb [--rows 200000]

Tables: ref_postal_codes, customers, policies, claims, premiums_monthly and meta_refresh (row count and
refresh time per table, read by the catalog). `--rows` is the approximate total row count (default
200k, up to 10M): customers 30 %, policies 45 %, claims 25 %; premiums_monthly is an aggregate.
Every value derives from the row number through DuckDB's `hash`, so the same flags and DuckDB version
always give the same data; only DuckDB core SQL is used (no extension, works offline).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

from dataplatform_common.normalise.postal import packaged_reference_rows

MIN_ROWS, MAX_ROWS = 1_000, 10_000_000
# DuckDB's smallest row group (one vector). A keyset page reads one or two row groups, so a smaller group
# is less to decompress per page: measured 1.8 ms vs 3.0 ms CPU per 100-row page with 16,384 (bench/api.py).
ROW_GROUP_SIZE = 2_048
REFRESHED_AT = "2026-01-31 02:00:00"  # fixed so two runs produce the same data

FIRST_NAMES = [
    "Jean", "Marie", "Pierre", "Camille", "Louis", "Léa", "Lucas", "Chloé", "Hugo", "Manon", "Gabriel", "Inès",
    "Arthur", "Jade", "Jules", "Louise", "Nathan", "Emma", "Paul", "Alice", "Thomas", "Sarah", "Théo", "Zoé",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
    "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
    "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Faure", "André", "Mercier",
]  # fmt: skip
PRODUCTS = ["auto", "home", "health", "life", "professional_liability"]
INSURERS = ["AXA", "Allianz", "Generali", "MMA", "MAIF", "Groupama", "Covéa", "AG2R"]
PERILS = ["collision", "theft", "water_damage", "fire", "storm", "medical", "liability", "glass"]


def _h(expr: str, salt: int) -> str:
    """A well-mixed 64-bit hash of an integer SQL expression (DuckDB's `hash`, stable for a pinned DuckDB)."""
    return f"(hash(({expr})::BIGINT, {salt}::INTEGER) >> 1)::BIGINT"


def _pick(values: list[str], expr: str, salt: int) -> str:
    literal = "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"
    return f"{literal}[1 + ({_h(expr, salt)}) % {len(values)}]"


def generate(out: Path, rows: int = 200_000) -> dict[str, int]:
    """Write the sample gold file (replacing it atomically) and return the row count per table."""
    if not MIN_ROWS <= rows <= MAX_ROWS:
        raise ValueError(f"--rows must be between {MIN_ROWS} and {MAX_ROWS}, got {rows}")
    n_customers, n_policies = rows * 30 // 100, rows * 45 // 100
    n_claims = rows - n_customers - n_policies
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        # Small row groups: keyset pages (`WHERE key > ? ORDER BY key LIMIT n`) then skip every row group
        # before the cursor by its min/max zone map instead of scanning the whole table.
        con.execute(f"ATTACH '{tmp}' AS gold (ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
        con.execute("USE gold")
        _reference(con)
        n_ref = con.execute("SELECT count(*) FROM ref_postal_codes").fetchone()[0]
        con.execute(f"""
            CREATE TABLE customers AS
            WITH base AS (SELECT range AS i FROM range(1, {n_customers} + 1))
            SELECT
              i::BIGINT AS customer_id,
              {_pick(FIRST_NAMES, "i", 1)} AS first_name,
              upper({_pick(LAST_NAMES, "i", 2)}) AS last_name,
              lower(strip_accents({_pick(FIRST_NAMES, "i", 1)}) || '.' || strip_accents({_pick(LAST_NAMES, "i", 2)}))
                || i::VARCHAR || '@example.fr' AS email,
              '+336' || lpad((({_h("i", 3)}) % 100000000)::VARCHAR, 8, '0') AS phone,
              DATE '1940-01-01' + (({_h("i", 4)}) % 23000)::INTEGER AS birth_date,
              r.postal_code, r.commune, r.department_code, r.department, r.region,
              CASE WHEN ({_h("i", 6)}) % 5 = 0 THEN 'professional' ELSE 'individual' END AS segment,
              DATE '2015-01-01' + (({_h("i", 7)}) % 4000)::INTEGER AS created_at
            FROM base JOIN (SELECT *, row_number() OVER (ORDER BY postal_code, commune) - 1 AS k
                           FROM ref_postal_codes) r ON r.k = ({_h("i", 5)}) % {n_ref}
            ORDER BY customer_id
        """)
        con.execute(f"""
            CREATE TABLE policies AS
            WITH base AS (SELECT range AS i FROM range(1, {n_policies} + 1)),
            p AS (
              SELECT i,
                'POL-' || lpad(i::VARCHAR, 8, '0') AS policy_id,
                1 + ({_h("i", 11)}) % {n_customers} AS customer_id,
                {_pick(PRODUCTS, "i", 12)} AS product,
                {_pick(INSURERS, "i", 13)} AS insurer,
                DATE '2018-01-01' + (({_h("i", 14)}) % 2900)::INTEGER AS start_date
              FROM base)
            SELECT policy_id, customer_id::BIGINT AS customer_id, product, insurer, start_date,
              CAST(start_date + INTERVAL 1 YEAR * (1 + ({_h("i", 15)}) % 3) AS DATE) AS end_date,
              CASE WHEN start_date + INTERVAL 1 YEAR * (1 + ({_h("i", 15)}) % 3) < DATE '2026-01-31'
                   THEN 'expired' ELSE 'active' END AS status,
              CAST((120 + ({_h("i", 16)}) % 380000 / 100.0) AS DECIMAL(12, 2)) AS annual_premium_eur
            FROM p ORDER BY policy_id
        """)
        con.execute(f"""
            CREATE TABLE claims AS
            WITH base AS (SELECT range AS i FROM range(1, {n_claims} + 1))
            SELECT
              'CLM-' || lpad(i::VARCHAR, 9, '0') AS claim_id,
              p.policy_id, p.customer_id,
              p.start_date + (({_h("i", 22)}) % 360)::INTEGER AS claim_date,
              {_pick(PERILS, "i", 23)} AS peril,
              CAST((50 + ({_h("i", 24)}) % 2000000 / 100.0) AS DECIMAL(12, 2)) AS amount_eur,
              {_pick(["open", "settled", "settled", "settled", "rejected"], "i", 25)} AS status
            FROM base JOIN policies p
              ON p.policy_id = 'POL-' || lpad((1 + ({_h("i", 21)}) % {n_policies})::VARCHAR, 8, '0')
            ORDER BY claim_id
        """)
        con.execute("""
            CREATE TABLE premiums_monthly AS
            SELECT CAST(date_trunc('month', m) AS DATE) AS month, p.product, c.region, c.department_code,
              count(*)::BIGINT AS policies, CAST(sum(p.annual_premium_eur / 12) AS DECIMAL(14, 2)) AS premium_eur
            FROM policies p JOIN customers c USING (customer_id),
                 generate_series(DATE '2023-01-01', DATE '2025-12-01', INTERVAL 1 MONTH) AS g(m)
            WHERE p.start_date <= m AND p.end_date > m
            GROUP BY ALL ORDER BY month, product, region, department_code
        """)
        counts = {
            table: con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in ("ref_postal_codes", "customers", "policies", "claims", "premiums_monthly")
        }
        con.execute("CREATE TABLE meta_refresh (dataset VARCHAR PRIMARY KEY, refreshed_at TIMESTAMP, row_count BIGINT)")
        con.executemany("INSERT INTO meta_refresh VALUES (?, ?, ?)", [(t, REFRESHED_AT, n) for t, n in counts.items()])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    tmp.replace(out)
    return counts


def _reference(con: duckdb.DuckDBPyConnection) -> None:
    """ref_postal_codes: the packaged reference table with department and region resolved."""
    from dataplatform_common.normalise.postal import PostalReference

    reference = PostalReference.from_rows(packaged_reference_rows())
    rows = []
    for postal_code, commune in reference.rows():
        info = reference.lookup(postal_code)
        rows.append((postal_code, commune, info.department_code, info.department, info.region_code, info.region))
    con.execute(
        "CREATE TABLE ref_postal_codes (postal_code VARCHAR, commune VARCHAR, department_code VARCHAR,"
        " department VARCHAR, region_code VARCHAR, region VARCHAR, PRIMARY KEY (postal_code, commune))"
    )
    con.executemany("INSERT INTO ref_postal_codes VALUES (?, ?, ?, ?, ?, ?)", rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dataplatform_common.sample_gold", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=Path("build/gold.duckdb"), help="DuckDB file to write")
    parser.add_argument("--rows", type=int, default=200_000, help=f"approximate total rows ({MIN_ROWS}..{MAX_ROWS})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = generate(args.out, args.rows)
    except (ValueError, OSError, duckdb.Error) as error:
        print(f"sample_gold: error: {error}", file=sys.stderr)
        return 2
    summary = ", ".join(f"{table}={count}" for table, count in counts.items())
    print(f"sample_gold: wrote {args.out} ({summary}) in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
