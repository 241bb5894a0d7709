"""Turn query-string parameters into parameterised SQL; every identifier comes from the catalog.

Rows: `fields=a,b`, `sort=col` / `sort=-col`, `limit` (1..1000), `cursor`, filters `col=v` (eq),
`col.in=v1,v2`, `col.gte|gt|lte|lt=v` (range). Aggregate: `group_by=d1,d2`, `metrics=count,sum:m,avg:m`
plus the same filters. Unknown parameters are rejected, so a typo never silently widens a result.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from exposition_api.catalog import Column, Dataset

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_IN_VALUES = 100
MAX_GROUPS = 50_000
RANGE_OPERATORS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
ROWS_PARAMS = frozenset({"fields", "sort", "limit", "cursor", "format"})
AGGREGATE_PARAMS = frozenset({"group_by", "metrics", "format"})
EXPORT_PARAMS = frozenset({"fields", "format"})
AGGREGATES = ("count", "sum", "avg")
T = TypeVar("T")


class QueryError(ValueError):
    """Invalid request parameters: a list of (path, message) for the 400 problem's `errors`."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors))
        self.errors = errors


@dataclass(frozen=True)
class Condition:
    """One parsed filter: `operator` is eq, in, gt, gte, lt or lte; `values` are parsed to the column's type."""

    column: Column
    operator: str
    values: tuple[Any, ...]


@dataclass
class Sql:
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)


def _placeholder(column: Column) -> str:
    """The placeholder of a value already parsed to the column's Python type (int, date, Decimal, str).

    No SQL CAST: a cast on the parameter side hides the comparison from DuckDB's zone-map pruning."""
    return "?"


def parse_filters(dataset: Dataset, args: Mapping[str, list[str]], reserved: frozenset[str], quote) -> Sql:
    """WHERE clauses and parameters from the filter parameters; QueryError lists every bad one."""
    sql, errors = Sql(), []
    for param, values in args.items():
        if param in reserved:
            continue
        name, _, operator = param.partition(".")
        column = dataset.column(name)
        path = f"query.{param}"
        if column is None:
            errors.append((path, f"unknown parameter; filterable columns: {', '.join(_filterable(dataset))}"))
            continue
        kind = "eq" if not operator else "in" if operator == "in" else "range" if operator in RANGE_OPERATORS else None
        if kind is None:
            errors.append((path, "unknown operator; use col=v, col.in=a,b or col.gte|gt|lte|lt=v"))
            continue
        if kind not in column.filters:
            allowed = ", ".join(column.filters) or "none"
            errors.append((path, f"{kind} filter is not allowed on {name} (allowed: {allowed})"))
            continue
        if len(values) != 1:
            errors.append((path, "give the parameter once"))
            continue
        try:
            if kind == "in":
                items = [column.parse(v) for v in values[0].split(",")]
                if not 1 <= len(items) <= MAX_IN_VALUES:
                    raise ValueError(f"between 1 and {MAX_IN_VALUES} values")
                sql.where.append(f"{quote(name)} IN ({', '.join(_placeholder(column) for _ in items)})")
                sql.params.extend(items)
                sql.conditions.append(Condition(column, "in", tuple(items)))
            else:
                sql_operator = "=" if kind == "eq" else RANGE_OPERATORS[operator]
                value = column.parse(values[0])
                sql.where.append(f"{quote(name)} {sql_operator} {_placeholder(column)}")
                sql.params.append(value)
                sql.conditions.append(Condition(column, operator or "eq", (value,)))
        except ValueError as error:
            errors.append((path, str(error)))
    if errors:
        raise QueryError(errors)
    return sql


def _filterable(dataset: Dataset) -> list[str]:
    return [c.name for c in dataset.columns.values() if c.filters]


@dataclass(frozen=True)
class OrderBy:
    columns: tuple[Column, ...]
    descending: tuple[bool, ...]

    def spec(self) -> list[str]:
        return [("-" if d else "") + c.name for c, d in zip(self.columns, self.descending, strict=True)]


def parse_order(dataset: Dataset, sort: str | None) -> OrderBy:
    """The requested sort column (if any) then the unique key: a total order for keyset pagination."""
    names: list[str] = []
    descending: list[bool] = []
    if sort:
        name = sort.removeprefix("-")
        column = dataset.column(name)
        if column is None or not column.sortable:
            sortable = ", ".join(c.name for c in dataset.columns.values() if c.sortable)
            raise QueryError([("query.sort", f"{name} is not sortable; sortable columns: {sortable}")])
        names.append(name)
        descending.append(sort.startswith("-"))
    for name in dataset.unique_key:
        if name not in names:
            names.append(name)
            descending.append(False)
    return OrderBy(tuple(dataset.columns[n] for n in names), tuple(descending))


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime | Decimal):
        return str(value)
    return value


def encode_cursor(order: OrderBy, last_row: Mapping[str, Any]) -> str:
    payload = json.dumps([order.spec(), [_jsonable(last_row[c.name]) for c in order.columns]], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(order: OrderBy, cursor: str) -> list[Any]:
    """The last row's order values, parsed to column types; QueryError if forged or from another sort."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        spec, values = payload
        if spec != order.spec() or not isinstance(values, list) or len(values) != len(order.columns):
            raise ValueError
        return [column.parse(str(value)) for column, value in zip(order.columns, values, strict=True)]
    except (ValueError, TypeError, UnicodeDecodeError):
        raise QueryError([("query.cursor", "invalid cursor for this sort; restart without a cursor")]) from None


def keyset_condition(order: OrderBy, values: list[Any], quote) -> tuple[str, list[Any]]:
    """(c1 > v1) OR (c1 = v1 AND c2 > v2) OR ...; `<` for descending columns. Portable SQL."""
    clauses, params = [], []
    for i, (column, desc) in enumerate(zip(order.columns, order.descending, strict=True)):
        parts = [f"{quote(c.name)} = {_placeholder(c)}" for c in order.columns[:i]]
        parts.append(f"{quote(column.name)} {'<' if desc else '>'} {_placeholder(column)}")
        clauses.append("(" + " AND ".join(parts) + ")")
        params.extend(values[:i])
        params.append(values[i])
    return "(" + " OR ".join(clauses) + ")", params


def parse_fields(dataset: Dataset, fields: str | None) -> list[str]:
    if not fields:
        return list(dataset.columns)
    names = [name.strip() for name in fields.split(",") if name.strip()]
    unknown = [name for name in names if name not in dataset.columns]
    if unknown or not names:
        raise QueryError([("query.fields", f"unknown field(s) {', '.join(unknown) or '(none given)'}; "
                                           f"fields: {', '.join(dataset.columns)}")])  # fmt: skip
    return list(dict.fromkeys(names))


def parse_limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    try:
        limit = int(text)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError([("query.limit", f"limit must be an integer between 1 and {MAX_LIMIT}")])
    return limit


@dataclass(frozen=True)
class RowsQuery:
    sql: str
    params: list[Any]
    fields: list[str]
    selected: list[str]
    order: OrderBy
    limit: int
    # The same rows with exact-DOUBLE decimals fetched as floats (see `json_value_expression`), for JSON pages;
    # "" when no column needs it.
    json_sql: str = ""
    # The same request parsed, for what serves it without SQL (exposition_api.serving): filters and the
    # cursor's last-row order values (None without a cursor).
    conditions: tuple[Condition, ...] = ()
    after: tuple[Any, ...] | None = None


# DECIMAL(p, s) with p <= 15 is an int64 divided by 10^s: its DOUBLE is the correctly rounded value, the same
# float as Python's float(Decimal), so the JSON text is unchanged (tests/test_json_sql.py checks every gold row).
_EXACT_DOUBLE_DECIMAL = re.compile(r"^DECIMAL\((\d|1[0-5]),\s*\d+\)$")


def json_value_expression(column: Column, quote) -> str | None:
    """A SELECT expression fetching a DECIMAL(p<=15) column as the float the JSON encoder writes, else None.

    Why: building a Python Decimal per value in the database client, then converting it back to float in the
    encoder's fallback, costs about a tenth of a rows request. Order columns stay exact (the cursor carries
    their decimal text): callers pass only the other columns."""
    if not _EXACT_DOUBLE_DECIMAL.match(column.type):
        return None
    name = quote(column.name)
    return f"CAST({name} AS DOUBLE) AS {name}"


def _single(args: Mapping[str, list[str]], name: str) -> str | None:
    values = args.get(name)
    if values is None:
        return None
    if len(values) != 1:
        raise QueryError([(f"query.{name}", "give the parameter once")])
    return values[0]


def build_rows_query(dataset: Dataset, args: Mapping[str, list[str]], quote) -> RowsQuery:
    errors: list[tuple[str, str]] = []
    parts: dict[str, Any] = {}
    for key, parse in (
        ("fields", lambda: parse_fields(dataset, _single(args, "fields"))),
        ("order", lambda: parse_order(dataset, _single(args, "sort"))),
        ("limit", lambda: parse_limit(_single(args, "limit"))),
        ("filters", lambda: parse_filters(dataset, args, ROWS_PARAMS, quote)),
    ):
        try:
            parts[key] = parse()
        except QueryError as error:
            errors.extend(error.errors)
    if errors:
        raise QueryError(errors)
    order: OrderBy = parts["order"]
    filters: Sql = parts["filters"]
    where, params = list(filters.where), list(filters.params)
    cursor = _single(args, "cursor")
    after = None
    if cursor:
        after = tuple(decode_cursor(order, cursor))
        condition, cursor_params = keyset_condition(order, list(after), quote)
        where.append(condition)
        params.extend(cursor_params)
    selected = list(dict.fromkeys([*parts["fields"], *(c.name for c in order.columns)]))
    order_sql = ", ".join(f"{quote(c.name)}{' DESC' if d else ''}" for c, d in zip(order.columns, order.descending,
                                                                                   strict=True))  # fmt: skip
    rest = (
        f" FROM {quote(dataset.table)}"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + f" ORDER BY {order_sql} LIMIT {parts['limit'] + 1}"
    )
    sql = f"SELECT {', '.join(quote(n) for n in selected)}{rest}"
    order_names = {c.name for c in order.columns}
    as_floats = {n: json_value_expression(dataset.columns[n], quote) for n in selected if n not in order_names}
    json_sql = ""
    if any(as_floats.values()):
        json_sql = f"SELECT {', '.join(as_floats.get(n) or quote(n) for n in selected)}{rest}"
    return RowsQuery(sql, params, parts["fields"], selected, order, parts["limit"], json_sql,
                     tuple(filters.conditions), after)  # fmt: skip


@dataclass(frozen=True)
class AggregateQuery:
    sql: str
    params: list[Any]
    group_by: list[str]
    metrics: list[str]


def build_aggregate_query(dataset: Dataset, args: Mapping[str, list[str]], quote) -> AggregateQuery:
    errors: list[tuple[str, str]] = []
    group_by = [g.strip() for g in (_single(args, "group_by") or "").split(",") if g.strip()]
    bad = [g for g in group_by if g not in dataset.dimensions]
    if not group_by or bad:
        errors.append(("query.group_by", f"give 1+ dimensions among: {', '.join(dataset.dimensions) or '(none)'}"))
    metrics = [m.strip() for m in (_single(args, "metrics") or "count").split(",") if m.strip()]
    select_metrics = []
    for metric in metrics:
        function, _, column = metric.partition(":")
        if function == "count" and not column:
            select_metrics.append('count(*) AS "count"')
        elif function in ("sum", "avg") and column in dataset.measures:
            cast = "DOUBLE" if function == "avg" else "DECIMAL(38, 2)"
            select_metrics.append(f"CAST({function}({quote(column)}) AS {cast}) AS {quote(f'{function}_{column}')}")
        else:
            errors.append(("query.metrics", f"{metric!r} is not count, sum:<measure> or avg:<measure>; measures: "
                                            f"{', '.join(dataset.measures) or '(none)'}"))  # fmt: skip
    filters = _collect(errors, lambda: parse_filters(dataset, args, AGGREGATE_PARAMS, quote), Sql())
    if errors:
        raise QueryError(errors)
    dims = ", ".join(quote(g) for g in dict.fromkeys(group_by))
    sql = (
        f"SELECT {dims}, {', '.join(select_metrics)} FROM {quote(dataset.table)}"
        + (f" WHERE {' AND '.join(filters.where)}" if filters.where else "")
        + f" GROUP BY {dims} ORDER BY {dims} LIMIT {MAX_GROUPS + 1}"
    )
    return AggregateQuery(sql, filters.params, list(dict.fromkeys(group_by)), metrics)


def _collect(errors: list[tuple[str, str]], parse: Callable[[], T], default: T) -> T:
    """parse(), or `default` with its QueryError's errors added to `errors` (to report every bad parameter)."""
    try:
        return parse()
    except QueryError as error:
        errors.extend(error.errors)
        return default


@dataclass(frozen=True)
class ExportQuery:
    sql: str
    params: list[Any]
    fields: list[str]


def build_export_query(dataset: Dataset, args: Mapping[str, list[str]], quote) -> ExportQuery:
    """The whole dataset (or its filtered rows) in the table's stored order: no ORDER BY, so the warehouse
    streams it without sorting it first (memory independent of its size). Gold tables are written sorted by
    their unique key (docs/contracts.md), and DuckDB keeps insertion order on a scan."""
    errors: list[tuple[str, str]] = []
    fields = _collect(errors, lambda: parse_fields(dataset, _single(args, "fields")), [])
    filters = _collect(errors, lambda: parse_filters(dataset, args, EXPORT_PARAMS, quote), Sql())
    if errors:
        raise QueryError(errors)
    sql = f"SELECT {', '.join(quote(n) for n in fields)} FROM {quote(dataset.table)}" + (
        f" WHERE {' AND '.join(filters.where)}" if filters.where else ""
    )
    return ExportQuery(sql, filters.params, fields)
