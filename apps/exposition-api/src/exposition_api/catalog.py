"""The dataset catalog: the only source of table and column names that may reach SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from dataplatform_common.auth import CLASSIFICATIONS
from dataplatform_common.gold_catalog import DECIMAL_TYPE, kind_of

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
FILTER_KINDS = ("eq", "in", "range")


class CatalogError(ValueError):
    """The catalog file is invalid; the message names the dataset/column and the fix."""


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # SQL type, as in the warehouse
    description: str
    filters: tuple[str, ...]
    sortable: bool

    @property
    def decimal_bound(self) -> Decimal:
        """Exclusive absolute bound of a DECIMAL(p,s) column: 10^(p-s)."""
        match = DECIMAL_TYPE.match(self.type)
        assert match is not None
        return Decimal(10) ** (int(match.group(1)) - int(match.group(2)))

    @property
    def kind(self) -> str:
        """integer | string | date | timestamp | decimal: how values are parsed and documented."""
        kind = kind_of(self.type)
        assert kind is not None  # _load_column accepts no other type
        return kind

    def parse(self, text: str) -> Any:
        """Convert a query-string value to this column's Python type; ValueError with a readable message."""
        kind = self.kind
        try:
            if kind == "integer":
                value = int(text)
                if not -(2**63) <= value < 2**63:
                    raise ValueError
                return value
            if kind == "date":
                return date.fromisoformat(text)
            if kind == "timestamp":
                return datetime.fromisoformat(text)
            if kind == "decimal":
                number = Decimal(text)
                if not number.is_finite() or abs(number) >= self.decimal_bound:
                    raise ValueError
                return number
        except (ValueError, InvalidOperation):
            expected = {"integer": "an integer", "date": "a date YYYY-MM-DD", "timestamp": "an ISO timestamp",
                        "decimal": "a decimal number"}[kind]  # fmt: skip
            raise ValueError(f"{self.name} expects {expected}") from None
        return text


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    description: str
    table: str
    owner: str
    classification: str
    unique_key: tuple[str, ...]
    columns: dict[str, Column]
    dimensions: tuple[str, ...]
    measures: tuple[str, ...]

    def column(self, name: str) -> Column | None:
        return self.columns.get(name)


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise CatalogError(f"catalog {where}: {message}")


def _load_column(dataset: str, raw: dict[str, Any]) -> Column:
    name = raw.get("name", "")
    where = f"dataset {dataset} column {name!r}"
    _require(bool(IDENTIFIER.match(str(name))), where, "name must be a lower-case SQL identifier")
    sql_type = str(raw.get("type", ""))
    _require(kind_of(sql_type) is not None, where, f"type {sql_type!r} is not supported "
             "(BIGINT, INTEGER, VARCHAR, DATE, TIMESTAMP, DECIMAL(p,s))")  # fmt: skip
    filters = tuple(raw.get("filters", []))
    _require(all(f in FILTER_KINDS for f in filters), where, f"filters must be among {', '.join(FILTER_KINDS)}")
    return Column(name, sql_type, str(raw.get("description", "")), filters, bool(raw.get("sortable", False)))


def _load_dataset(name: str, raw: dict[str, Any]) -> Dataset:
    where = f"dataset {name!r}"
    _require(bool(IDENTIFIER.match(name)), where, "name must be a lower-case identifier")
    for field in ("description", "table", "owner", "classification", "unique_key", "columns"):
        _require(field in raw, where, f"{field} is required")
    _require(raw["classification"] in CLASSIFICATIONS, where, f"classification must be one of {CLASSIFICATIONS}")
    _require(bool(IDENTIFIER.match(raw["table"])), where, "table must be a lower-case SQL identifier")
    columns = {column.name: column for column in (_load_column(name, c) for c in raw["columns"])}
    for group in ("unique_key", "dimensions", "measures"):
        for column in raw.get(group, []):
            _require(column in columns, where, f"{group} names {column!r}, which is not a column")
    for column in raw.get("measures", []):
        _require(columns[column].kind in ("integer", "decimal"), where, f"measure {column!r} must be numeric")
    return Dataset(
        name=name,
        description=raw["description"],
        table=raw["table"],
        owner=raw["owner"],
        classification=raw["classification"],
        unique_key=tuple(raw["unique_key"]),
        columns=columns,
        dimensions=tuple(raw.get("dimensions", [])),
        measures=tuple(raw.get("measures", [])),
    )


def load_catalog(path: Path | None = None) -> dict[str, Dataset]:
    """Load and validate the catalog (default: the packaged catalog.yaml, which is catalogs/gold.yaml, the one
    generated from the dbt manifest; `CATALOG_FILE` overrides)."""
    if path is None:
        text = resources.files("exposition_api").joinpath("catalog.yaml").read_text(encoding="utf-8")
        source = "catalog.yaml"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CatalogError(f"catalog {path}: cannot read it ({error.strerror})") from None
        source = str(path)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise CatalogError(f"catalog {source}: not valid YAML ({error})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("datasets"), dict):
        raise CatalogError(f"catalog {source}: expected a mapping with a `datasets` mapping")
    return {name: _load_dataset(name, spec) for name, spec in raw["datasets"].items()}
