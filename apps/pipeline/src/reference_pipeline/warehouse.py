"""The warehouse the checks and ingestion talk to: the DuckDB file locally, Snowflake in the cloud."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg
import duckdb

from reference_pipeline import reference_data
from reference_pipeline.publish import AUDIT_SCHEMA, PUBLISHED_SCHEMA, duckdb_publish, snowflake_statements

if TYPE_CHECKING:  # pandas only when a frame is asked for (the code location loads faster without it)
    import pandas as pd

    from reference_pipeline.checks.expectations import SqlTarget


class Warehouse(dg.ConfigurableResource):
    """What the checks and the DataHub asset need from a warehouse, whichever it is.

    `gold_schema` is where dbt builds gold and the checks judge it: `gold` on the local DuckDB file (the
    serving file is its published copy), the audit schema in Snowflake (`publish`: write-audit-publish).
    """

    gold_schema: str = PUBLISHED_SCHEMA

    def query_df(self, sql: str) -> pd.DataFrame:
        raise NotImplementedError

    def table_columns(self, schema: str, table: str) -> list[tuple[str, str]]:
        raise NotImplementedError

    def scalar(self, sql: str) -> Any:
        raise NotImplementedError

    def publish(self, tables: Sequence[str]) -> dict[str, int]:
        """Make the audited gold tables the published ones (with meta_refresh); rows per table."""
        raise NotImplementedError

    def sql_target(self) -> SqlTarget:
        """Where Great Expectations validates in SQL: URL, engine arguments, the schema of each layer."""
        raise NotImplementedError

    def load_reference(self, data_file: Path) -> tuple[reference_data.TrackedVersion, int]:
        """Replace `raw.postal_codes` with the verified DVC-tracked version (md5 in every row); (version, rows)."""
        raise NotImplementedError


class DuckDBWarehouse(Warehouse):
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

    def scalar(self, sql: str) -> Any:
        with self.connect(read_only=True) as con:
            row = con.execute(sql).fetchone()
        return row[0] if row else None

    def publish(self, tables: Sequence[str]) -> dict[str, int]:
        """The stand-in for Snowflake's clone and swap: audit schema -> published schema, one transaction."""
        if self.gold_schema != AUDIT_SCHEMA:
            raise ValueError(f"publish reads {AUDIT_SCHEMA!r}; this warehouse builds gold in {self.gold_schema!r}")
        with self.connect() as con:
            return duckdb_publish(con, tables)

    def load_reference(self, data_file: Path) -> tuple[reference_data.TrackedVersion, int]:
        with self.connect() as con:
            return reference_data.load_postal_codes(con, data_file)

    def sql_target(self) -> SqlTarget:
        """The file, read-only (the checks run between steps: no writer holds it then)."""
        from reference_pipeline.checks.duckdb_dialect import connection_url
        from reference_pipeline.checks.expectations import SqlTarget

        return SqlTarget(
            url=connection_url(self.path),
            schemas={"silver": "silver", "gold": self.gold_schema},
            engine_kwargs={"connect_args": {"read_only": True}},
        )


class SnowflakeWarehouse(Warehouse):
    """The cloud warehouse (same interface as DuckDBWarehouse for the checks and the DataHub asset).

    Key-pair authentication; every value comes from the environment the Helm values and ExternalSecrets set.
    """

    account: str
    user: str
    private_key_path: str
    role: str
    warehouse: str
    database: str
    reader_role: str
    gold_schema: str = AUDIT_SCHEMA

    def _connect(self) -> Any:
        import snowflake.connector

        return snowflake.connector.connect(
            account=self.account,
            user=self.user,
            private_key_file=self.private_key_path,
            role=self.role,
            warehouse=self.warehouse,
            database=self.database,
        )

    def query_df(self, sql: str) -> pd.DataFrame:
        with self._connect() as con, con.cursor() as cursor:
            frame = cursor.execute(sql).fetch_pandas_all()
        frame.columns = [str(name).lower() for name in frame.columns]
        return frame

    def table_columns(self, schema: str, table: str) -> list[tuple[str, str]]:
        with self._connect() as con, con.cursor() as cursor:
            rows = cursor.execute(
                "select lower(column_name), data_type from information_schema.columns "
                "where lower(table_schema) = %s and lower(table_name) = %s order by ordinal_position",
                (schema.lower(), table.lower()),
            ).fetchall()
        return [(str(name), str(kind)) for name, kind in rows]

    def scalar(self, sql: str) -> Any:
        with self._connect() as con, con.cursor() as cursor:
            row = cursor.execute(sql).fetchone()
        return row[0] if row else None

    def publish(self, tables: Sequence[str]) -> dict[str, int]:
        """Clone the audit schema, add meta_refresh and grants, swap it with the published schema."""
        with self._connect() as con, con.cursor() as cursor:
            for statement in snowflake_statements(self.database, tables, self.reader_role):
                cursor.execute(statement)
            rows = cursor.execute(f"select dataset, row_count from {self.database}.{PUBLISHED_SCHEMA}.meta_refresh")
            return {str(name): int(count) for name, count in rows.fetchall()}

    def load_reference(self, data_file: Path) -> tuple[reference_data.TrackedVersion, int]:
        """The image's DVC-tracked file (verified md5) -> `<database>.raw.postal_codes`, replaced atomically.

        Snowflake commits every DDL statement, so the rows go to a staging table first and one `create or
        replace ... clone` puts them in place: readers see the old version or the new one, never half of it.
        """
        version = reference_data.verified_version(data_file)
        rows = reference_data.read_rows(data_file)
        create, insert, publish = reference_snowflake_statements(self.database)
        with self._connect() as con, con.cursor() as cursor:
            cursor.execute(create)
            cursor.executemany(insert, [(code, commune, version.md5) for code, commune in rows])
            cursor.execute(publish)
        return version, len(rows)

    def sql_target(self) -> SqlTarget:
        """snowflake-sqlalchemy with the dbt profile's key pair; gold is judged in the audit schema."""
        from snowflake.sqlalchemy import URL

        from reference_pipeline.checks.expectations import SqlTarget

        url = URL(
            account=self.account, user=self.user, database=self.database, warehouse=self.warehouse, role=self.role
        )
        return SqlTarget(
            url=url,
            schemas={"silver": "silver", "gold": self.gold_schema},
            engine_kwargs={"connect_args": {"private_key_file": self.private_key_path}},
        )

    @classmethod
    def from_environment(cls) -> SnowflakeWarehouse:
        return cls(
            account=dg.EnvVar("SNOWFLAKE_ACCOUNT"),
            user=dg.EnvVar("SNOWFLAKE_USER"),
            private_key_path=dg.EnvVar("SNOWFLAKE_PRIVATE_KEY_PATH"),
            role=os.environ.get("SNOWFLAKE_ROLE", "TRANSFORMER"),
            warehouse=os.environ.get("SNOWFLAKE_WAREHOUSE", "TRANSFORMING"),
            database=os.environ.get("SNOWFLAKE_DATABASE", "ANALYTICS"),
            reader_role=dg.EnvVar("SNOWFLAKE_READER_ROLE"),
        )


def reference_snowflake_statements(database: str) -> tuple[str, str, str]:
    """Create (staging), insert and publish statements of `raw.postal_codes` (the columns DuckDB's load gives)."""
    table = f"{database}.raw.postal_codes"
    staging = f"{table}__loading"
    columns = "postal_code varchar, commune varchar, dvc_md5 varchar, _loaded_at varchar"
    return (
        f"create or replace table {staging} ({columns})",
        f"insert into {staging} (postal_code, commune, dvc_md5, _loaded_at) "
        "values (%s, %s, %s, to_varchar(current_timestamp()))",
        f"create or replace table {table} clone {staging}",
    )
