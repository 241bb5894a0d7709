"""The one small interface both data apps use to read the gold layer (DuckDB file or Snowflake).

SQL is always parameterised (`?` placeholders); identifiers come only from the dataset catalog and are
quoted by the backend (`quote`). A backend that cannot be reached raises WarehouseUnavailableError, which
the apps turn into 503 + Retry-After; the next call tries again, so recovery needs no restart.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pyarrow as pa


class WarehouseUnavailableError(RuntimeError):
    """The warehouse cannot answer now (file missing or locked, network down); retry later."""

    def __init__(self, message: str, retry_after_seconds: int = 5) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class QueryValueError(ValueError):
    """The warehouse rejected a bound value (e.g. out of range for the column type): the caller's fault."""


@dataclass(frozen=True, slots=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


class Warehouse(Protocol):
    backend: str

    def quote(self, identifier: str) -> str:
        """Quote a catalog identifier (table or column) for this backend's SQL dialect."""

    def query(self, sql: str, params: Sequence[Any] = (), *, operation: str) -> QueryResult:
        """Run one parameterised read query; `operation` labels the latency metric."""

    def query_arrow(self, sql: str, params: Sequence[Any] = (), *, operation: str) -> pa.Table:
        """Same as `query`, as an Arrow table (for the Arrow IPC output)."""

    def stream_arrow(
        self, sql: str, params: Sequence[Any] = (), *, operation: str, batch_rows: int = 65_536
    ) -> Iterator[pa.RecordBatch]:
        """Run one read query and yield its result in record batches of at most about `batch_rows` rows,
        holding one batch at a time (bulk export, serving-format builds): memory does not grow with the
        result. The query runs on its own cursor, so a consumer may interleave other queries."""

    def published_version(self) -> str | None:
        """The identity of an immutable published gold version (a DuckDB file's inode and mtime), or None when
        the backend cannot say when its data changes (Snowflake): what may key a derived, built-once format."""

    def ping(self) -> None:
        """Raise WarehouseUnavailableError unless a trivial query succeeds (readiness probe)."""

    def version(self) -> str:
        """An identifier of the data's current version (changes when the gold layer is rebuilt)."""
