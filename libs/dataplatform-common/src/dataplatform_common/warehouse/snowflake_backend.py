"""Snowflake backend: key-pair authentication, qmark (server-side) parameter binding.

`WAREHOUSE_URL=snowflake://<account>/<database>/<schema>?user=..&warehouse=..&role=..&private_key_file=..`
The private key (PKCS#8 PEM) is mounted from an ExternalSecret; its passphrase, if any, comes from
`SNOWFLAKE_PRIVATE_KEY_PASSPHRASE`. Unquoted Snowflake identifiers are upper-case, so catalog names are
upper-cased before quoting.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyarrow as pa

from dataplatform_common.warehouse.base import QueryResult, WarehouseUnavailableError

QueryObserver = Callable[[str, str, float], None]
Connect = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class SnowflakeSettings:
    account: str
    database: str
    schema: str
    user: str
    warehouse: str | None
    role: str | None
    private_key_file: Path

    @classmethod
    def from_url(cls, url: str) -> SnowflakeSettings:
        parts = urlsplit(url)
        path = [segment for segment in parts.path.split("/") if segment]
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        if not parts.hostname or len(path) != 2 or "user" not in query or "private_key_file" not in query:
            raise ValueError(
                "WAREHOUSE_URL must look like snowflake://<account>/<database>/<schema>"
                "?user=<user>&private_key_file=<path>[&warehouse=<wh>&role=<role>]"
            )
        return cls(
            account=parts.hostname,
            database=path[0],
            schema=path[1],
            user=query["user"],
            warehouse=query.get("warehouse"),
            role=query.get("role"),
            private_key_file=Path(query["private_key_file"]),
        )


def load_private_key_der(path: Path, passphrase: str | None) -> bytes:
    """The PKCS#8 PEM key file as DER bytes, the form snowflake-connector expects for key-pair auth."""
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(path.read_bytes(), password=passphrase.encode() if passphrase else None)
    return key.private_bytes(
        encoding=serialization.Encoding.DER,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


def _default_connect(**kwargs: Any) -> Any:
    import snowflake.connector

    return snowflake.connector.connect(**kwargs)


class SnowflakeWarehouse:
    backend = "snowflake"

    def __init__(
        self, settings: SnowflakeSettings, observe: QueryObserver | None = None, connect: Connect = _default_connect
    ) -> None:
        self.settings = settings
        self._observe = observe
        self._connect = connect
        self._lock = threading.Lock()
        self._connection: Any = None

    def connection_arguments(self) -> dict[str, Any]:
        settings = self.settings
        arguments: dict[str, Any] = {
            "account": settings.account,
            "user": settings.user,
            "database": settings.database,
            "schema": settings.schema,
            "private_key": load_private_key_der(
                settings.private_key_file, os.environ.get("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE")
            ),
            "paramstyle": "qmark",
            "client_session_keep_alive": True,
            "application": "dataplatform-data-apps",
            "login_timeout": 10,
            "network_timeout": 30,
        }
        if settings.warehouse:
            arguments["warehouse"] = settings.warehouse
        if settings.role:
            arguments["role"] = settings.role
        return arguments

    def quote(self, identifier: str) -> str:
        return '"' + identifier.upper().replace('"', '""') + '"'

    def _get_connection(self) -> Any:
        with self._lock:
            if self._connection is None:
                try:
                    self._connection = self._connect(**self.connection_arguments())
                except Exception as error:  # the connector raises many types; all mean "not reachable now"
                    raise WarehouseUnavailableError(
                        f"cannot connect to Snowflake account {self.settings.account}: {type(error).__name__}"
                    ) from None
            return self._connection

    def _run(self, operation: str, run: Callable[[Any], Any]) -> Any:
        started = time.perf_counter()
        connection = self._get_connection()
        try:
            cursor = connection.cursor()
            try:
                return run(cursor)
            finally:
                cursor.close()
        except WarehouseUnavailableError:
            raise
        except Exception as error:
            if _is_connection_error(error):
                with self._lock:
                    self._connection = None
                raise WarehouseUnavailableError(f"Snowflake query failed: {type(error).__name__}") from None
            raise
        finally:
            if self._observe is not None:
                self._observe(self.backend, operation, time.perf_counter() - started)

    def query(self, sql: str, params: Sequence[Any] = (), *, operation: str) -> QueryResult:
        def run(cursor: Any) -> QueryResult:
            cursor.execute(sql, list(params))
            columns = [column[0].lower() for column in cursor.description or ()]
            return QueryResult(columns, [tuple(row) for row in cursor.fetchall()])

        return self._run(operation, run)

    def query_arrow(self, sql: str, params: Sequence[Any] = (), *, operation: str) -> pa.Table:
        def run(cursor: Any) -> pa.Table:
            cursor.execute(sql, list(params))
            table = cursor.fetch_arrow_all()
            if table is None:  # no rows: the connector returns None
                columns = [column[0].lower() for column in cursor.description or ()]
                return pa.table({name: pa.array([], pa.null()) for name in columns})
            return table.rename_columns([name.lower() for name in table.column_names])

        return self._run(operation, run)

    def stream_arrow(
        self, sql: str, params: Sequence[Any] = (), *, operation: str, batch_rows: int = 65_536
    ) -> Iterator[pa.RecordBatch]:
        """The connector downloads the result in chunks; `fetch_arrow_batches` yields them one at a time."""
        connection = self._get_connection()
        cursor = connection.cursor()
        try:
            self._run(operation, lambda _: cursor.execute(sql, list(params)))
            for table in cursor.fetch_arrow_batches():
                table = table.rename_columns([name.lower() for name in table.column_names])
                yield from table.to_batches(max_chunksize=batch_rows)
        finally:
            cursor.close()

    def published_version(self) -> str | None:
        # Snowflake tables change without an identity this app can observe: no built-once serving format,
        # every page is a warehouse query (see apps/exposition-api/README.md).
        return None

    def ping(self) -> None:
        self.query("SELECT 1", operation="ping")

    def version(self) -> str:
        # Snowflake tables change under us without a file identity; callers cache only briefly.
        return f"snowflake:{int(time.time() // 60)}"


def _is_connection_error(error: Exception) -> bool:
    try:
        from snowflake.connector.errors import DatabaseError, OperationalError
    except ImportError:  # pragma: no cover - the connector is an optional extra
        return False
    return isinstance(error, OperationalError) or (
        isinstance(error, DatabaseError) and getattr(error, "errno", 0) in {250001, 250002, 250003}
    )
