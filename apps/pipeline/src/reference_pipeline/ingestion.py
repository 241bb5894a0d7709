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
PATH_COLUMN = "_landing_path"  # the file each row was read from (scan option), kept as its name in _source_file


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


def _reader(paths: list[Path]) -> str:
    """One scan over files of one format; columns matched by name (drift: a column missing from a file is NULL)."""
    quoted = ", ".join("'" + str(path).replace("'", "''") + "'" for path in paths)
    options = f"union_by_name = true, filename = '{PATH_COLUMN}'"
    if paths[0].suffix == ".csv":
        return f"read_csv([{quoted}], header = true, all_varchar = true, auto_detect = true, {options})"
    return f"read_parquet([{quoted}], {options})"


def _file_columns(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> list[str]:
    rows = con.execute(f"describe select * from {_reader(paths)}").fetchall()
    return [row[0] for row in rows if row[0] != PATH_COLUMN]


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
    """Append `files` to `raw.<entity>` in one transaction; reloading a file replaces its rows.

    All the new files of a format are read by one scan (DuckDB reads them in parallel) instead of one
    insert per file. On a new table, the columns the first file lacks are reported as schema drift.
    """
    result = LoadResult(entity=entity)
    by_format: dict[str, list[Path]] = {}
    for path in files:
        by_format.setdefault(path.suffix, []).append(path)
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute("begin transaction")
    try:
        for paths in by_format.values():
            existing = _table_columns(con, entity)
            if not existing:
                existing = [*_file_columns(con, paths[:1]), *SYSTEM_COLUMNS]
                con.execute(f"create table {RAW_SCHEMA}.{entity} ({', '.join(f'{_q(n)} varchar' for n in existing)})")
            file_columns = _file_columns(con, paths)
            for name in file_columns:
                if name not in existing:
                    con.execute(f"alter table {RAW_SCHEMA}.{entity} add column {_q(name)} varchar")
                    result.columns_added.append(name)
            names = [path.name for path in paths]
            con.execute(f"delete from {RAW_SCHEMA}.{entity} where _source_file in (select unnest(?))", [names])
            select_list = ", ".join(f"cast({_q(name)} as varchar) as {_q(name)}" for name in file_columns)
            inserted = con.execute(
                f"insert into {RAW_SCHEMA}.{entity} by name select {select_list}, "
                f'parse_filename("{PATH_COLUMN}") as "_source_file", '
                f'cast(current_timestamp as varchar) as "_loaded_at" from {_reader(paths)}'
            ).fetchone()
            result.rows += int(inserted[0]) if inserted else 0
            result.files += names
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    count = con.execute(f"select count(*) from {RAW_SCHEMA}.{entity}").fetchone()
    result.total_rows = int(count[0]) if count else 0
    return result


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
