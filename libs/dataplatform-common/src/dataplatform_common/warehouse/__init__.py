"""Warehouse interface and its two backends, chosen from `WAREHOUSE_URL`."""

from __future__ import annotations

from pathlib import Path

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
    """`duckdb:///abs/path.duckdb`, `duckdb://relative/path.duckdb` or `snowflake://...` (see the backends)."""
    if url.startswith("duckdb://"):
        path = url.removeprefix("duckdb://")
        if not path:
            raise ValueError("WAREHOUSE_URL duckdb:// needs a file path, e.g. duckdb:///data/gold.duckdb")
        return DuckDBWarehouse(Path(path), observe=observe)
    if url.startswith("snowflake://"):
        from dataplatform_common.warehouse.snowflake_backend import SnowflakeSettings, SnowflakeWarehouse

        return SnowflakeWarehouse(SnowflakeSettings.from_url(url), observe=observe)
    raise ValueError(
        f"WAREHOUSE_URL {url!r} has an unknown scheme: use duckdb:///path or snowflake://account/db/schema"
    )
