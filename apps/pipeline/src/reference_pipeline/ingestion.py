"""Incremental loading of landed raw files into the warehouse's `raw` schema (DuckDB).

Each raw table keeps every column as text, as received, plus `_source_file` and `_loaded_at`. A column
that appears in a later file (schema drift) is added to the table instead of failing the load; the
columns added are reported so the asset metadata shows the drift. Which files are already loaded is
decided by the caller (the Dagster asset keeps that list in its materialisation metadata).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

RAW_SCHEMA = "raw"
SYSTEM_COLUMNS = ("_source_file", "_loaded_at")


@dataclass
class LoadResult:
    """What one entity's load did."""

    entity: str
    files: list[str] = field(default_factory=list)
    rows: int = 0
    columns_added: list[str] = field(default_factory=list)
    total_rows: int = 0


def landed_files(landing_dir: Path, entity: str) -> list[Path]:
    """The entity's complete files, oldest drop first (`.part` files are still being written)."""
    folder = landing_dir / entity
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in {".csv", ".parquet"})


def _reader(path: Path) -> str:
    quoted = str(path).replace("'", "''")
    if path.suffix == ".csv":
        return f"read_csv('{quoted}', header = true, all_varchar = true, auto_detect = true)"
    return f"read_parquet('{quoted}')"


def _table_columns(con: duckdb.DuckDBPyConnection, entity: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [RAW_SCHEMA, entity],
    ).fetchall()
    return [row[0] for row in rows]


def raw_table_exists(con: duckdb.DuckDBPyConnection, entity: str) -> bool:
    return bool(_table_columns(con, entity))


def load_files(con: duckdb.DuckDBPyConnection, entity: str, files: Iterable[Path]) -> LoadResult:
    """Append `files` to `raw.<entity>` in one transaction; reloading a file replaces its rows."""
    result = LoadResult(entity=entity)
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute("begin transaction")
    try:
        for path in files:
            file_columns = [row[0] for row in con.execute(f"describe select * from {_reader(path)}").fetchall()]
            existing = _table_columns(con, entity)
            if not existing:
                column_defs = ", ".join(f'"{name}" varchar' for name in [*file_columns, *SYSTEM_COLUMNS])
                con.execute(f"create table {RAW_SCHEMA}.{entity} ({column_defs})")
            else:
                for name in file_columns:
                    if name not in existing:
                        con.execute(f'alter table {RAW_SCHEMA}.{entity} add column "{name}" varchar')
                        result.columns_added.append(name)
                con.execute(f"delete from {RAW_SCHEMA}.{entity} where _source_file = ?", [path.name])
            select_list = ", ".join(f'cast("{name}" as varchar) as "{name}"' for name in file_columns)
            inserted = con.execute(
                f'insert into {RAW_SCHEMA}.{entity} by name select {select_list}, ? as "_source_file", '
                f'cast(current_timestamp as varchar) as "_loaded_at" from {_reader(path)}',
                [path.name],
            ).fetchone()
            result.rows += int(inserted[0]) if inserted else 0
            result.files.append(path.name)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    count = con.execute(f"select count(*) from {RAW_SCHEMA}.{entity}").fetchone()
    result.total_rows = int(count[0]) if count else 0
    return result
