"""The gold catalog as data: which tables the gold layer has, their columns and SQL types.

One file describes the gold layer: `apps/exposition-api/catalogs/gold.yaml`, generated from the dbt manifest
(`reference-pipeline catalog`) and packaged as the exposition API's default catalog. The API validates it in
full (`exposition_api.catalog`); the sample gold generator reads only the shape (tables, columns, types,
unique keys) from here, at run time, so a column the pipeline adds reaches both without a code change.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

# SQL type -> kind (how values are parsed, documented and generated). DECIMAL(p,s) is "decimal".
SQL_KINDS = {"BIGINT": "integer", "INTEGER": "integer", "VARCHAR": "string", "DATE": "date", "TIMESTAMP": "timestamp"}
DECIMAL_TYPE = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")
# The package whose `catalog.yaml` is the default catalog (the exposition API serves it).
CATALOG_PACKAGE = "exposition_api"


def kind_of(sql_type: str) -> str | None:
    """integer | string | date | timestamp | decimal, or None for a type the catalog does not support."""
    return "decimal" if DECIMAL_TYPE.match(sql_type) else SQL_KINDS.get(sql_type)


@dataclass(frozen=True, slots=True)
class GoldColumn:
    name: str
    type: str  # SQL type as in the catalog (BIGINT, VARCHAR, DECIMAL(12,2), ...)


@dataclass(frozen=True, slots=True)
class GoldTable:
    dataset: str
    table: str
    unique_key: tuple[str, ...]
    columns: tuple[GoldColumn, ...]


def default_catalog_text() -> str:
    """The packaged catalog of the exposition API (the dbt-generated one); ValueError when not installed."""
    try:
        return resources.files(CATALOG_PACKAGE).joinpath("catalog.yaml").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        raise ValueError(
            f"no catalog: the {CATALOG_PACKAGE} package is not installed; pass the catalog file "
            "(apps/exposition-api/catalogs/gold.yaml)"
        ) from None


def catalog_digest(path: Path | None = None) -> str:
    """A short digest of the catalog file (default: the packaged one): what names a cached sample gold, so a
    column the pipeline adds makes a new file instead of reusing a stale one."""
    text = path.read_text(encoding="utf-8") if path else default_catalog_text()
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def read_gold_tables(path: Path | None = None) -> list[GoldTable]:
    """The tables of a catalog file (default: the packaged one), in file order; ValueError when malformed."""
    source = str(path) if path else f"{CATALOG_PACKAGE}/catalog.yaml"
    text = path.read_text(encoding="utf-8") if path else default_catalog_text()
    raw: Any = yaml.safe_load(text)
    if not isinstance(raw, dict) or not isinstance(raw.get("datasets"), dict):
        raise ValueError(f"catalog {source}: expected a mapping with a `datasets` mapping")
    tables = []
    for dataset, spec in raw["datasets"].items():
        columns = tuple(GoldColumn(str(c["name"]), str(c["type"])) for c in spec.get("columns", []))
        for column in columns:
            if kind_of(column.type) is None:
                raise ValueError(f"catalog {source}: dataset {dataset} column {column.name}: type {column.type!r}")
        names = {c.name for c in columns}
        unique_key = tuple(spec.get("unique_key", []))
        if not columns or not unique_key or not set(unique_key) <= names:
            raise ValueError(f"catalog {source}: dataset {dataset} needs columns and a unique_key among them")
        tables.append(GoldTable(dataset, str(spec.get("table", dataset)), unique_key, columns))
    return tables
