"""Write-audit-publish of gold: consumers only ever read gold that passed every blocking check.

In the cloud, `dbt build` writes gold into the audit schema (`gold_audit`: macro generate_schema_name),
where dbt tests, the Great Expectations suites and the row-count checks judge it. Only when all of them
pass does Dagster run the publish asset, which makes the audited tables the published schema `gold`
(what the exposition API reads) in one step, with `meta_refresh (dataset, refreshed_at, row_count)`:

- Snowflake: a zero-copy clone of the audit schema (a metadata operation) gets meta_refresh and the
  readers' grants, then `ALTER SCHEMA ... SWAP WITH` exchanges it with the published schema atomically;
  the previous gold ends up in the clone's name and is dropped.
- DuckDB (the local stand-in, same schemas): the same result in one transaction.

A failed check skips the publish step, so the published schema keeps the last good gold.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

PUBLISHED_SCHEMA = "gold"
AUDIT_SCHEMA = "gold_audit"
_NEXT = "__next"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


def _identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"{name!r} is not a plain SQL identifier")
    return name


def meta_refresh_select(schema: str, tables: Sequence[str], now: str) -> str:
    """One row per table: its dataset name, when it was published, how many rows it has."""
    return " union all ".join(
        f"select '{_identifier(t)}' as dataset, {now} as refreshed_at, count(*) as row_count from {schema}.{t}"
        for t in tables
    )


def snowflake_statements(database: str, tables: Sequence[str], reader_role: str) -> list[str]:
    """The Snowflake statements that publish the audited gold of `database` (run in this order)."""
    db, role = _identifier(database), _identifier(reader_role)
    audit, published = f"{db}.{AUDIT_SCHEMA}", f"{db}.{PUBLISHED_SCHEMA}"
    candidate = f"{published}{_NEXT}"
    now = "cast(current_timestamp() as timestamp_ntz)"
    return [
        f"create or replace schema {candidate} clone {audit}",
        f"create or replace table {candidate}.meta_refresh as {meta_refresh_select(candidate, tables, now)}",
        f"grant usage on schema {candidate} to role {role}",
        f"grant select on all tables in schema {candidate} to role {role}",
        f"create schema if not exists {published}",
        f"alter schema {candidate} swap with {published}",
        f"drop schema if exists {candidate}",
    ]


def duckdb_publish(con: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> dict[str, int]:
    """The DuckDB stand-in: replace the published schema with the audited tables in one transaction."""
    published, audit = PUBLISHED_SCHEMA, AUDIT_SCHEMA
    con.execute("begin transaction")
    try:
        con.execute(f"drop schema if exists {published} cascade")
        con.execute(f"create schema {published}")
        for table in map(_identifier, tables):
            con.execute(f"create table {published}.{table} as select * from {audit}.{table}")
        now = "cast(current_timestamp as timestamp)"
        con.execute(f"create table {published}.meta_refresh as {meta_refresh_select(published, tables, now)}")
        counts = dict(con.execute(f"select dataset, row_count from {published}.meta_refresh").fetchall())
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return {str(name): int(rows) for name, rows in counts.items()}
