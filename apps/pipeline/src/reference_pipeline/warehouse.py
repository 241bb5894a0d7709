"""The warehouse the checks and ingestion talk to: the DuckDB file locally, Snowflake in the cloud."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd


class DuckDBWarehouse(dg.ConfigurableResource):
    """One DuckDB file shared by ingestion, dbt and the checks (steps run one at a time: one writer)."""

    path: str

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.path, read_only=read_only)
        try:
            yield con
        finally:
            con.close()

    def query_df(self, sql: str) -> pd.DataFrame:
        with self.connect(read_only=True) as con:
            return con.execute(sql).df()

    def table_columns(self, schema: str, table: str) -> list[tuple[str, str]]:
        """(name, type) of a table's columns, in order (empty when the table does not exist)."""
        with self.connect(read_only=True) as con:
            rows = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
        return [(str(name), str(kind)) for name, kind in rows]
