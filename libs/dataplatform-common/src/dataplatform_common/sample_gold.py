"""Deterministic sample gold layer of an insurance broker, shaped by the gold catalog, in a DuckDB file.

    python -m dataplatform_common.sample_gold --out build/gold.duckdb [--rows 200000] [--catalog FILE]

The tables, their columns (in order) and SQL types are read at run time from the catalog (default: the
exposition API's packaged catalog, i.e. `apps/exposition-api/catalogs/gold.yaml` generated from the dbt
manifest), so the sample has exactly the schema the pipeline publishes; a column the pipeline adds appears
here without a code change. Values: every column the pipeline's gold models build has a realistic source
below (ids `CUS-`/`POL-`/`CLM-`, claims on existing policies, customers' policy counts, policies' claim
totals, monthly premiums aggregated from policies); any other column gets a deterministic value of its type
(unique along the row order when it is the first column of the unique key). Plus `meta_refresh (dataset,
refreshed_at, row_count)`, one row per table.

`--rows` is the approximate total row count (default 200k, up to 10M): customers 30 %, policies 45 %, claims
25 %; postal codes are the packaged reference, premiums_monthly an aggregate. Every value derives from the
row number through DuckDB's `hash`, so the same flags, catalog and DuckDB version always give the same data;
only DuckDB core SQL is used (no extension, works offline). Each table is written sorted by its unique key.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dataplatform_common.gold_catalog import DECIMAL_TYPE, GoldColumn, GoldTable, kind_of, read_gold_tables
from dataplatform_common.normalise.postal import PostalReference, packaged_reference_rows

MIN_ROWS, MAX_ROWS = 1_000, 10_000_000
# DuckDB's smallest row group (one vector). A keyset page reads one or two row groups, so a smaller group
# is less to decompress per page: measured 1.8 ms vs 3.0 ms CPU per 100-row page with 16,384 (bench/api.py).
ROW_GROUP_SIZE = 2_048
REFRESHED_AT = "2026-01-31 02:00:00"  # fixed so two runs produce the same data
OTHER_TABLE_ROWS = MIN_ROWS  # a catalog table without a source below: generic rows

FIRST_NAMES = [
    "Jean", "Marie", "Pierre", "Camille", "Louis", "Léa", "Lucas", "Chloé", "Hugo", "Manon", "Gabriel", "Inès",
    "Arthur", "Jade", "Jules", "Louise", "Nathan", "Emma", "Paul", "Alice", "Thomas", "Sarah", "Théo", "Zoé",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
    "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
    "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Faure", "André", "Mercier",
]  # fmt: skip
# The pipeline's conformed values (apps/pipeline silver models and checks).
PRODUCTS = ["AUTO", "HOME", "HEALTH", "LIFE"]
POLICY_STATUSES = ["ACTIVE", "ACTIVE", "ACTIVE", "CANCELLED", "LAPSED"]
CLAIM_STATUSES = ["OPEN", "SETTLED", "SETTLED", "SETTLED", "REJECTED"]
DESCRIPTIONS = ["water damage", "theft", "collision", "fire", "storm", "glass breakage", "liability"]
MONTHS = ("2018-01-01", "2025-12-01")  # premiums_monthly's range; policies start in it


@dataclass(frozen=True, slots=True)
class Sizes:
    """Rows of the generated entities (postal codes and monthly premiums follow from them)."""

    customers: int
    policies: int
    claims: int

    @classmethod
    def for_total(cls, rows: int) -> Sizes:
        if not MIN_ROWS <= rows <= MAX_ROWS:
            raise ValueError(f"--rows must be between {MIN_ROWS} and {MAX_ROWS}, got {rows}")
        customers, policies = rows * 30 // 100, rows * 45 // 100
        return cls(customers, policies, rows - customers - policies)


def _h(expr: str, salt: int) -> str:
    """A well-mixed 64-bit hash of an integer SQL expression (DuckDB's `hash`, stable for a pinned DuckDB)."""
    return f"(hash(({expr})::BIGINT, {salt}::INTEGER) >> 1)::BIGINT"


def _pick(values: list[str], expr: str, salt: int) -> str:
    literal = "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"
    return f"{literal}[1 + ({_h(expr, salt)}) % {len(values)}]"


def _id(prefix: str, expr: str, count: int) -> str:
    """`PREFIX-0000042`: the pipeline's 7-digit ids, wider only when `count` needs it."""
    return f"'{prefix}-' || lpad(({expr})::VARCHAR, {max(7, len(str(count)))}, '0')"


def _facts_sql(sizes: Sizes) -> list[str]:
    """Temporary tables every gold table derives from: postal codes, policies and claims as numbers."""
    n_c, n_p, n_cl = sizes.customers, sizes.policies, sizes.claims
    first_month, last_month = MONTHS
    span = f"(DATE '{last_month}' - DATE '{first_month}')"
    return [
        # One commune per postal code, as the silver model keeps it.
        """CREATE TEMP TABLE src_ref_postal_codes AS
           SELECT row_number() OVER (ORDER BY postal_code) - 1 AS k, *
           FROM (FROM _postal QUALIFY row_number() OVER (PARTITION BY postal_code ORDER BY commune) = 1)""",
        f"""CREATE TEMP TABLE _policy AS SELECT i,
              1 + ({_h("i", 11)}) % {n_c} AS c,
              {_pick(PRODUCTS, "i", 12)} AS product,
              {_pick(POLICY_STATUSES, "i", 13)} AS status,
              DATE '{first_month}' + (({_h("i", 14)}) % {span})::INTEGER AS start_date,
              CAST(120 + ({_h("i", 16)}) % 228000 / 100.0 AS DECIMAL(12, 2)) AS annual_premium
            FROM range(1, {n_p} + 1) t(i)""",
        f"""CREATE TEMP TABLE _claim AS SELECT i,
              1 + ({_h("i", 21)}) % {n_p} AS p,
              (({_h("i", 22)}) % 360)::INTEGER AS day_offset,
              CAST(50 + ({_h("i", 24)}) % 2495000 / 100.0 AS DECIMAL(12, 2)) AS amount_eur,
              {_pick(CLAIM_STATUSES, "i", 25)} AS status,
              ({_h("i", 26)}) AS postal_hash,
              {_pick(DESCRIPTIONS, "i", 27)} AS description,
              -- one claim in five is reported one or more months after the loss
              CAST(CASE WHEN ({_h("i", 28)}) % 5 = 0 THEN 31 + ({_h("i", 29)}) % 300 ELSE ({_h("i", 29)}) % 20 END
                AS INTEGER) AS report_days
            FROM range(1, {n_cl} + 1) t(i)""",
    ]


def _sources_sql(sizes: Sizes, postal_codes: int) -> dict[str, str]:
    """Table -> SELECT of its realistic columns (named as in the gold models) plus the row number `i`."""
    n_c, n_p, n_cl = sizes.customers, sizes.policies, sizes.claims
    first_month, last_month = MONTHS
    customer = _id("CUS", "p.c", n_c)
    return {
        "ref_postal_codes": "SELECT k + 1 AS i, * EXCLUDE (k) FROM src_ref_postal_codes",
        "customers": f"""
            WITH counts AS (
              SELECT c, count(*) AS policies_count, count_if(status = 'ACTIVE') AS active_policies_count,
                min(start_date) AS customer_since
              FROM _policy GROUP BY c),
            base AS (
              SELECT i, {_pick(FIRST_NAMES, "i", 1)} AS first_name, {_pick(LAST_NAMES, "i", 2)} AS last_name
              FROM range(1, {n_c} + 1) t(i))
            SELECT b.i, {_id("CUS", "b.i", n_c)} AS customer_id, b.first_name, upper(b.last_name) AS last_name,
              lower(strip_accents(b.first_name) || '.' || strip_accents(b.last_name)) || b.i::VARCHAR
                || '@example.fr' AS email,
              '+336' || lpad((({_h("b.i", 3)}) % 100000000)::VARCHAR, 8, '0') AS phone,
              DATE '1940-01-01' + (({_h("b.i", 4)}) % 23000)::INTEGER AS birth_date,
              r.postal_code, r.commune, r.department_code, r.department, r.region_code, r.region,
              coalesce(n.policies_count, 0)::BIGINT AS policies_count,
              coalesce(n.active_policies_count, 0)::BIGINT AS active_policies_count,
              n.customer_since,
              TIMESTAMP '2024-01-01 00:00:00' + to_hours(({_h("b.i", 7)}) % 17520) AS updated_at
            FROM base b
            JOIN src_ref_postal_codes r ON r.k = ({_h("b.i", 5)}) % {postal_codes}
            LEFT JOIN counts n ON n.c = b.i""",
        "policies": f"""
            WITH totals AS (SELECT p, count(*) AS claims_count, sum(amount_eur) AS claims_amount_eur
                            FROM _claim GROUP BY p)
            SELECT p.i, {_id("POL", "p.i", n_p)} AS policy_id, {customer} AS customer_id, p.product, p.status,
              p.start_date, p.annual_premium,
              coalesce(t.claims_count, 0)::BIGINT AS claims_count,
              CAST(coalesce(t.claims_amount_eur, 0) AS DECIMAL(14, 2)) AS claims_amount_eur,
              CAST(p.start_date AS TIMESTAMP) + to_hours(({_h("p.i", 17)}) % 24) AS updated_at
            FROM _policy p LEFT JOIN totals t ON t.p = p.i""",
        "claims": f"""
            WITH dated AS (
              SELECT cl.*, p.start_date + cl.day_offset AS claim_date FROM _claim cl JOIN _policy p ON p.i = cl.p)
            SELECT cl.i, {_id("CLM", "cl.i", n_cl)} AS claim_id, {_id("POL", "p.i", n_p)} AS policy_id,
              {customer} AS customer_id, p.product, cl.claim_date,
              CAST(date_trunc('month', cl.claim_date) AS DATE) AS claim_month, cl.amount_eur, cl.status,
              r.postal_code, r.department, r.region, cl.description,
              CAST(cl.claim_date + cl.report_days AS TIMESTAMP) + INTERVAL 12 HOUR AS reported_at,
              CAST(greatest(date_diff('month', cl.claim_date, cl.claim_date + cl.report_days), 0) AS INTEGER)
                AS reporting_delay_months
            FROM dated cl JOIN _policy p ON p.i = cl.p
            JOIN src_ref_postal_codes r ON r.k = cl.postal_hash % {postal_codes}""",
        # Policies in force (not cancelled, started by the month) called monthly; ~97 % of calls paid.
        "premiums_monthly": f"""
            WITH starts AS (
              SELECT product, CAST(date_trunc('month', start_date) AS DATE) AS month, count(*) AS n,
                sum(annual_premium) AS premium
              FROM _policy WHERE status <> 'CANCELLED' GROUP BY ALL),
            grid AS (
              SELECT CAST(g AS DATE) AS month, product
              FROM generate_series(DATE '{first_month}', DATE '{last_month}', INTERVAL 1 MONTH) t(g),
                   (SELECT DISTINCT product FROM _policy)),
            running AS (
              SELECT grid.month, grid.product,
                sum(coalesce(s.n, 0)) OVER w AS policies, sum(coalesce(s.premium, 0)) OVER w AS premium
              FROM grid LEFT JOIN starts s USING (month, product)
              WINDOW w AS (PARTITION BY grid.product ORDER BY grid.month)),
            called AS (
              SELECT row_number() OVER (ORDER BY month, product) AS i, month, product, policies,
                CAST(premium / 12 AS DECIMAL(14, 2)) AS due
              FROM running WHERE policies > 0),
            paid AS (
              SELECT *, CAST(due * (0.94 + (({_h("i", 31)}) % 600) / 10000.0) AS DECIMAL(14, 2)) AS paid
              FROM called)
            SELECT i, month, product, (policies + policies // 40)::BIGINT AS premiums_count,
              policies::BIGINT AS policies_count, due AS premiums_due_eur, paid AS premiums_paid_eur,
              CAST(paid / due AS DECIMAL(5, 4)) AS payment_rate
            FROM paid""",
    }


def _generic(table: str, column: GoldColumn, key: bool) -> str:
    """A deterministic value of the column's type for row `i`; unique along `i` when `key`."""
    salt = zlib.crc32(f"{table}.{column.name}".encode()) & 0x7FFF
    hashed = _h("i", salt)
    kind = kind_of(column.type)
    if kind == "integer":
        return "i" if key else f"({hashed}) % 1000"
    if kind == "string":
        return f"'{column.name}-' || " + ("lpad(i::VARCHAR, 9, '0')" if key else f"(({hashed}) % 1000)::VARCHAR")
    if kind == "date":
        return "DATE '2000-01-01' + i::INTEGER" if key else f"DATE '2024-01-01' + (({hashed}) % 730)::INTEGER"
    if kind == "timestamp":
        offset = "to_seconds(i)" if key else f"to_seconds(({hashed}) % 2592000)"
        return f"TIMESTAMP '{REFRESHED_AT}' - {offset}"
    match = DECIMAL_TYPE.match(column.type)
    assert match is not None  # read_gold_tables accepts no other type
    precision, scale = int(match.group(1)), int(match.group(2))
    return f"({'i' if key else hashed} % {10 ** min(precision, 9)}) / {10**scale}"


def _table_sql(table: GoldTable, source: str, source_kinds: dict[str, str | None]) -> str:
    """CREATE TABLE of the catalog's columns, in order and type, from `source` (or generic values)."""
    expressions = []
    for column in table.columns:
        known = source_kinds.get(column.name) == kind_of(column.type)
        value = f'src."{column.name}"' if known else _generic(table.table, column, column.name == table.unique_key[0])
        expressions.append(f'CAST({value} AS {column.type}) AS "{column.name}"')
    order = ", ".join(f'"{name}"' for name in table.unique_key)
    return f'CREATE TABLE "{table.table}" AS SELECT {", ".join(expressions)} FROM ({source}) src ORDER BY {order}'


def _duckdb_kind(type_name: str) -> str | None:
    """The kind of a DuckDB result type (sums of BIGINT are HUGEINT), as the catalog's types have one."""
    return "integer" if type_name in ("HUGEINT", "UBIGINT") else kind_of(type_name)


def generate(
    out: Path,
    rows: int = 200_000,
    *,
    catalog: Path | None = None,
    sizes: Sizes | None = None,
    tables: Collection[str] | None = None,
) -> dict[str, int]:
    """Write the sample gold file (replacing it atomically) and return the row count per table.

    `catalog`: the catalog file (default: the packaged one); `sizes` overrides `rows`; `tables` restricts
    the tables written (by table name), e.g. a large `policies` table alone for a benchmark.
    """
    sizes = sizes or Sizes.for_total(rows)
    wanted = [t for t in read_gold_tables(catalog) if tables is None or t.table in tables]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        # Small row groups: keyset pages (`WHERE key > ? ORDER BY key LIMIT n`) then skip every row group
        # before the cursor by its min/max zone map instead of scanning the whole table.
        con.execute(f"ATTACH '{tmp}' AS gold (ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
        _postal(con)
        for statement in _facts_sql(sizes):
            con.execute(statement)
        sources = _sources_sql(sizes, con.execute("SELECT count(*) FROM src_ref_postal_codes").fetchone()[0])
        con.execute("USE gold")
        counts = {}
        for table in wanted:
            source = sources.get(table.table, f"SELECT range AS i FROM range(1, {OTHER_TABLE_ROWS} + 1)")
            described = con.execute(f"SELECT * FROM ({source}) LIMIT 0").description
            source_kinds = {name: _duckdb_kind(str(type_code)) for name, type_code, *_ in described}
            con.execute(_table_sql(table, source, source_kinds))
            counts[table.table] = con.execute(f'SELECT count(*) FROM "{table.table}"').fetchone()[0]
        con.execute("CREATE TABLE meta_refresh (dataset VARCHAR PRIMARY KEY, refreshed_at TIMESTAMP, row_count BIGINT)")
        con.executemany("INSERT INTO meta_refresh VALUES (?, ?, ?)", [(t, REFRESHED_AT, n) for t, n in counts.items()])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    tmp.replace(out)
    return counts


def _postal(con: duckdb.DuckDBPyConnection) -> None:
    """Temporary `_postal`: the packaged postal-code reference with department and region resolved."""
    reference = PostalReference.from_rows(packaged_reference_rows())
    rows = []
    for postal_code, commune in reference.rows():
        info = reference.lookup(postal_code)
        rows.append((postal_code, commune, info.department_code, info.department, info.region_code, info.region))
    con.execute(
        "CREATE TEMP TABLE _postal (postal_code VARCHAR, commune VARCHAR, department_code VARCHAR,"
        " department VARCHAR, region_code VARCHAR, region VARCHAR)"
    )
    con.executemany("INSERT INTO _postal VALUES (?, ?, ?, ?, ?, ?)", rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dataplatform_common.sample_gold", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=Path("build/gold.duckdb"), help="DuckDB file to write")
    parser.add_argument("--rows", type=int, default=200_000, help=f"approximate total rows ({MIN_ROWS}..{MAX_ROWS})")
    parser.add_argument("--catalog", type=Path, help="catalog file (default: the exposition API's packaged one)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = generate(args.out, args.rows, catalog=args.catalog)
    except (ValueError, OSError, duckdb.Error) as error:
        print(f"sample_gold: error: {error}", file=sys.stderr)
        return 2
    summary = ", ".join(f"{table}={count}" for table, count in counts.items())
    print(f"sample_gold: wrote {args.out} ({summary}) in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
