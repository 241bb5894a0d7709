"""The SQLAlchemy dialect Great Expectations validates the local DuckDB warehouse through: `duckdb+validation://`.

duckdb-engine's dialect (0.17.0, the newest), with the three changes GE's SqlAlchemyExecutionEngine needs:

- Each SQLAlchemy cursor is a DuckDB cursor of its own. duckdb-engine runs every statement on the connection
  itself, so the rollback SQLAlchemy issues when a connection goes back to the pool discards the pending
  result; GE fetches its metric rows after that (`execute_query` closes the connection first), and gets none.
- GE recognises it as PostgreSQL (the `dialect` property): it has no SQL for an unknown dialect's regex.
- Columns are reflected from DuckDB's `information_schema`. duckdb-engine reuses the PostgreSQL dialect's
  catalog query, which reads `pg_catalog.pg_collation` since SQLAlchemy 2.0.45 (DuckDB has no such table:
  duckdb-engine issue 1391); GE's fallback then queries the table without its schema and finds nothing.

Everything else (SQL compilation) is duckdb-engine's. Regex expectations compile to PostgreSQL's `~`, which
DuckDB evaluates as a search, not a full match (Snowflake's REGEXP_LIKE is one): the suites' patterns are
anchored, so they mean the same on both (tests/test_checks.py). Registered on import; `connection_url()` names it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from duckdb_engine import ConnectionWrapper, CursorWrapper
from duckdb_engine import Dialect as DuckDBDialect

NAME = "duckdb.validation"


class _Connection(ConnectionWrapper):
    def cursor(self) -> CursorWrapper:
        # A DuckDB cursor is a connection of its own to the same database: its result outlives a rollback
        # of the parent connection.
        return CursorWrapper(self._ConnectionWrapper__c.cursor(), self)  # type: ignore[attr-defined]


class ValidationDialect(DuckDBDialect):
    """duckdb-engine with per-cursor results and `information_schema` column reflection."""

    supports_statement_cache = False

    @property
    def dialect(self) -> type[sa.Dialect]:
        """What GE reads to pick SQL constructs: `<dialect module>.dialect`; for a dialect it has no module for
        (DuckDB) it passes the engine's dialect object instead, which has no such attribute. Answered as
        PostgreSQL's module would: GE has regex SQL for PostgreSQL (`~`) and none for an unknown dialect."""
        return sa.dialects.postgresql.dialect  # type: ignore[attr-defined,no-any-return]

    def connect(self, *cargs: Any, **cparams: Any) -> _Connection:
        wrapper = super().connect(*cargs, **cparams)
        return _Connection(wrapper._ConnectionWrapper__c)  # type: ignore[attr-defined]

    def get_columns(  # type: ignore[override]
        self, connection: sa.Connection, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[dict[str, Any]]:
        rows = connection.execute(
            sa.text(
                "select column_name, data_type, is_nullable from information_schema.columns "
                "where table_schema = coalesce(:schema, current_schema()) and table_name = :table "
                "order by ordinal_position"
            ),
            {"schema": schema, "table": str(table_name)},
        ).fetchall()
        if not rows:
            raise sa.exc.NoSuchTableError(f"{schema}.{table_name}" if schema else str(table_name))
        return [
            {
                "name": name,
                "type": self._column_type(str(kind)),
                "nullable": nullable == "YES",
                "default": None,
                "autoincrement": False,
            }
            for name, kind, nullable in rows
        ]

    def _column_type(self, kind: str) -> sa.types.TypeEngine[Any]:
        base = kind.split("(", 1)[0].strip().lower()
        known = self.ischema_names.get(base) or self.ischema_names.get(base.split(" ", 1)[0])
        return known() if known is not None else sa.types.NullType()


sa.dialects.registry.register(NAME, __name__, ValidationDialect.__name__)


def connection_url(path: str | Path) -> str:
    """The SQLAlchemy URL of the DuckDB file at `path` through this dialect."""
    return f"duckdb+validation:///{Path(path)}"
