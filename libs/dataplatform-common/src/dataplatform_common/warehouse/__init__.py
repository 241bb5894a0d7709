"""Warehouse interface and its two backends, chosen from `WAREHOUSE_URL`."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

from dataplatform_common.warehouse.base import QueryResult, QueryValueError, Warehouse, WarehouseUnavailableError
from dataplatform_common.warehouse.duckdb_backend import DuckDBWarehouse, QueryObserver

DEFAULT_URL = "duckdb:///data/gold.duckdb"

__all__ = [
    "DEFAULT_URL",
    "DuckDBWarehouse",
    "QueryResult",
    "QueryValueError",
    "Warehouse",
    "WarehouseUnavailableError",
    "open_warehouse",
]


def open_warehouse(url: str, observe: QueryObserver | None = None) -> Warehouse:
    """`duckdb:///abs/path.duckdb[?threads=N]`, `duckdb://relative/path.duckdb` or `snowflake://...`.

    `threads` caps DuckDB's threads per query: with many concurrent small queries (gunicorn threads x
    workers) one thread per query avoids oversubscribing the pod's cores."""
    if url.startswith("duckdb://"):
        path, _, query = url.removeprefix("duckdb://").partition("?")
        if not path:
            raise ValueError("WAREHOUSE_URL duckdb:// needs a file path, e.g. duckdb:///data/gold.duckdb")
        options = parse_qs(query)
        unknown = set(options) - {"threads"}
        if unknown or not all(v.isdigit() and int(v) > 0 for v in options.get("threads", [])):
            raise ValueError(f"WAREHOUSE_URL {url!r}: the only DuckDB option is ?threads=<positive integer>")
        threads = int(options["threads"][-1]) if "threads" in options else None
        return DuckDBWarehouse(Path(path), observe=observe, threads=threads)
    if url.startswith("snowflake://"):
        from dataplatform_common.warehouse.snowflake_backend import SnowflakeSettings, SnowflakeWarehouse

        return SnowflakeWarehouse(SnowflakeSettings.from_url(url), observe=observe)
    raise ValueError(
        f"WAREHOUSE_URL {url!r} has an unknown scheme: use duckdb:///path or snowflake://account/db/schema"
    )
