"""Gold reference data read from the warehouse: postal codes (loaded once per data version) and
batched look-ups of known customers and policies (one parameterised query per batch)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from dataplatform_common.normalise import PostalInfo, PostalReference
from dataplatform_common.warehouse import Warehouse

MAX_IN = 1000


class WarehouseReference:
    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self._lock = threading.Lock()
        self._postal: tuple[str, PostalReference] | None = None

    def _postal_reference(self) -> PostalReference:
        version = self.warehouse.version()
        cached = self._postal
        if cached is not None and cached[0] == version:
            return cached[1]
        with self._lock:
            q = self.warehouse.quote
            result = self.warehouse.query(
                f"SELECT {q('postal_code')}, {q('commune')} FROM {q('ref_postal_codes')}", operation="reference"
            )
            reference = PostalReference.from_rows(result.rows)
            self._postal = (version, reference)
            return reference

    def postal(self, postal_code: str) -> PostalInfo:
        return self._postal_reference().lookup(postal_code)

    def _lookup(self, table: str, key: str, columns: Sequence[str], keys: Sequence[str]) -> list[tuple[Any, ...]]:
        if not keys:
            return []
        q = self.warehouse.quote
        select = f"SELECT {q(key)}, {', '.join(q(c) for c in columns)} FROM {q(table)}"
        if self.warehouse.backend == "duckdb":
            # One list parameter instead of up to 1000 placeholders: half the time per batch in DuckDB.
            sql = f"{select} WHERE {q(key)} = ANY(CAST(? AS VARCHAR[]))"
            return self.warehouse.query(sql, [list(keys[:MAX_IN])], operation=f"lookup_{table}").rows
        placeholders = ", ".join("?" for _ in keys[:MAX_IN])
        sql = f"{select} WHERE {q(key)} IN ({placeholders})"
        return self.warehouse.query(sql, list(keys[:MAX_IN]), operation=f"lookup_{table}").rows

    def customers_by_email(self, emails: Sequence[str]) -> dict[str, str]:
        return {row[0]: row[1] for row in self._lookup("customers", "email", ["customer_id"], emails)}

    def policies_by_id(self, policy_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        columns = ["customer_id", "product", "status"]  # columns of gold `policies` (the catalog)
        return {
            row[0]: dict(zip(columns, row[1:], strict=True))
            for row in self._lookup("policies", "policy_id", columns, policy_ids)
        }
