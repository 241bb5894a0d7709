"""DuckDB file backend: read-only, one connection per process, one cursor per thread.

The gold file can be rebuilt while the app runs: when its inode or mtime changes the connection is
reopened (checked at most once per `recheck_seconds`), and the data version changes so caches drop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from dataplatform_common.warehouse.base import QueryResult, QueryValueError, WarehouseUnavailableError

QueryObserver = Callable[[str, str, float], None]  # (backend, operation, seconds)


class DuckDBWarehouse:
    backend = "duckdb"

    def __init__(
        self, path: Path, observe: QueryObserver | None = None, recheck_seconds: float = 1.0, threads: int | None = None
    ) -> None:
        self.path = path
        self.threads = threads  # DuckDB worker threads per query (None: DuckDB's default, one per core)
        self._observe = observe
        self._recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple[int, int] | None = None
        self._checked_at = 0.0
        self._local = threading.local()

    def quote(self, identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'

    def _file_identity(self) -> tuple[int, int]:
        try:
            stat = self.path.stat()
        except OSError:
            raise WarehouseUnavailableError(f"DuckDB file {self.path} is missing") from None
        return (stat.st_ino, stat.st_mtime_ns)

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        now = time.monotonic()
        if self._connection is None or now - self._checked_at > self._recheck_seconds:
            with self._lock:
                identity = self._file_identity()
                self._checked_at = now
                if self._connection is None or identity != self._identity:
                    self._reopen(identity)
        local = self._local
        if getattr(local, "identity", None) != self._identity:
            cursor = self._connection.cursor()  # type: ignore[union-attr]
            cursor.execute("SET enable_progress_bar = false")  # a server has no terminal; ~5-10 % of a page query
            local.cursor = cursor
            local.identity = self._identity
        return local.cursor

    def _reopen(self, identity: tuple[int, int]) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        try:
            config = {"threads": self.threads} if self.threads else {}
            self._connection = duckdb.connect(str(self.path), read_only=True, config=config)
        except duckdb.Error as error:
            first_line = str(error).splitlines()[0]
            raise WarehouseUnavailableError(f"cannot open DuckDB file {self.path}: {first_line}") from None
        self._identity = identity

    def _run(self, operation: str, run: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        started = time.perf_counter()
        cursor = self._cursor()
        try:
            return run(cursor)
        except (duckdb.IOException, duckdb.ConnectionException) as error:
            with self._lock:
                self._connection = None  # reopened by the next call
            raise WarehouseUnavailableError(f"DuckDB file {self.path} failed: {error}") from None
        except (duckdb.ConversionException, duckdb.OutOfRangeException, duckdb.InvalidInputException) as error:
            raise QueryValueError(str(error).splitlines()[0]) from None
        finally:
            if self._observe is not None:
                self._observe(self.backend, operation, time.perf_counter() - started)

    def query(self, sql: str, params: Sequence[Any] = (), *, operation: str) -> QueryResult:
        def run(cursor: duckdb.DuckDBPyConnection) -> QueryResult:
            cursor.execute(sql, list(params))
            columns = [column[0] for column in cursor.description or ()]
            return QueryResult(columns, cursor.fetchall())

        return self._run(operation, run)

    def query_arrow(self, sql: str, params: Sequence[Any] = (), *, operation: str) -> pa.Table:
        return self._run(operation, lambda cursor: cursor.sql(sql, params=list(params)).to_arrow_table())

    def stream_arrow(
        self, sql: str, params: Sequence[Any] = (), *, operation: str, batch_rows: int = 65_536
    ) -> Iterator[pa.RecordBatch]:
        self._cursor()  # reopen if the file changed
        started = time.perf_counter()
        try:
            cursor = self._connection.cursor()  # type: ignore[union-attr]
        except (duckdb.Error, AttributeError) as error:
            raise WarehouseUnavailableError(f"DuckDB file {self.path} failed: {error}") from None
        try:
            cursor.execute("SET enable_progress_bar = false")
            try:
                reader = cursor.sql(sql, params=list(params)).to_arrow_reader(batch_rows)
            except (duckdb.ConversionException, duckdb.OutOfRangeException, duckdb.InvalidInputException) as error:
                raise QueryValueError(str(error).splitlines()[0]) from None
            if self._observe is not None:  # time to the first batch: the query's latency, as for `query`
                self._observe(self.backend, operation, time.perf_counter() - started)
            try:
                yield from reader
            except (duckdb.IOException, duckdb.ConnectionException) as error:
                raise WarehouseUnavailableError(f"DuckDB file {self.path} failed: {error}") from None
        finally:
            cursor.close()

    def published_version(self) -> str | None:
        return self.version()

    def ping(self) -> None:
        self.query("SELECT 1", operation="ping")

    def version(self) -> str:
        self._cursor()
        return f"duckdb:{self._identity[0]}:{self._identity[1]}" if self._identity else "duckdb:none"
