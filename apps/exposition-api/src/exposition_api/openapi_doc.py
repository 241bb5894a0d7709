"""The exposition API's OpenAPI document, generated from the catalog: one path per dataset, so each
dataset's filters, sort columns and row schema are exact."""

from __future__ import annotations

from typing import Any

from dataplatform_common import openapi

from exposition_api.catalog import Column, Dataset
from exposition_api.query import DEFAULT_LIMIT, MAX_IN_VALUES, MAX_LIMIT, RANGE_OPERATORS

_VALUE_SCHEMAS: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1},
    "string": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    # TIMESTAMP columns are the warehouse's TIMESTAMP_NTZ: ISO 8601 without an offset, so not an RFC 3339
    # "date-time" (which requires one).
    "timestamp": {
        "type": "string",
        "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$",
    },
    "decimal": {"type": "number"},
}
_MEDIA = {
    "application/json": None,
    "text/csv": {"type": "string"},
    "application/vnd.apache.arrow.stream": {"type": "string", "format": "binary"},
}
_EXPORT_MEDIA = {
    "text/csv": {"type": "string"},
    "application/vnd.apache.arrow.stream": {"type": "string", "format": "binary"},
    "application/vnd.apache.parquet": {"type": "string", "format": "binary"},
}


def _format_parameter(names: list[str]) -> dict[str, Any]:
    return {"name": "format", "in": "query", "schema": {"type": "string", "enum": names},
            "description": "the response format, instead of the Accept header (for clients that cannot set it, "
                           "such as QlikSense's REST connector)"}  # fmt: skip


def _row_schema(dataset: Dataset) -> dict[str, Any]:
    """Every column may be null in the gold layer (e.g. a customer's `customer_since` without a policy), but
    the unique key, which keyset pagination requires non-null."""

    def value(column: Column) -> dict[str, Any]:
        schema = {**_VALUE_SCHEMAS[column.kind], "description": column.description}
        if column.name not in dataset.unique_key:
            schema["type"] = [schema["type"], "null"]
        return schema

    return {
        "type": "object",
        "properties": {c.name: value(c) for c in dataset.columns.values()},
        "additionalProperties": False,
    }


_IN_ITEM = {
    "integer": r"-?[0-9]{1,18}",
    "date": r"[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])",  # year 0 does not exist
    "timestamp": r"[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T[0-1][0-9]:[0-5][0-9]:[0-5][0-9]",
    "decimal": r"-?[0-9]{1,8}(\.[0-9]{1,2})?",
    "string": r"[^,]*",
}


def _value_schema(column: Column) -> dict[str, Any]:
    schema = dict(_VALUE_SCHEMAS[column.kind])
    if column.kind == "timestamp":  # a parameter: only values the API accepts (the response pattern is wider)
        schema["pattern"] = f"^{_IN_ITEM['timestamp']}$"
    if column.kind == "decimal":
        bound = float(column.decimal_bound)
        schema.update({"exclusiveMinimum": -bound, "exclusiveMaximum": bound})
    return schema


def _list_pattern(names: list[str] | tuple[str, ...]) -> str:
    alternatives = "|".join(names)
    return f"^({alternatives})(,({alternatives}))*$"


def _filter_parameters(column: Column) -> list[dict[str, Any]]:
    value = _value_schema(column)
    params = []
    if "eq" in column.filters:
        params.append({"name": column.name, "in": "query", "schema": value, "description": f"{column.name} equals"})
    if "in" in column.filters:
        item = _IN_ITEM[column.kind]
        params.append({"name": f"{column.name}.in", "in": "query",
                       "schema": {"type": "string", "pattern": f"^{item}(,{item}){{0,{MAX_IN_VALUES - 1}}}$"},
                       "description": f"{column.name} is one of these comma-separated values"})  # fmt: skip
    if "range" in column.filters:
        params.extend(
            {"name": f"{column.name}.{op}", "in": "query", "schema": value, "description": f"{column.name} {sql} value"}
            for op, sql in RANGE_OPERATORS.items()
        )
    return params


def _responses(ok: dict[str, Any]) -> dict[str, Any]:
    return {"200": ok, "304": {"description": "Not modified (If-None-Match matched the ETag)"},
            **openapi.problems(400, 401, 403, 406, 503)}  # fmt: skip


def _dataset_paths(dataset: Dataset) -> tuple[dict[str, Any], dict[str, Any]]:
    schema_name = "Rows_" + dataset.name
    filters = [p for c in dataset.columns.values() for p in _filter_parameters(c)]
    sortable = [c.name for c in dataset.columns.values() if c.sortable]
    rows_parameters = [
        {"name": "fields", "in": "query", "schema": {"type": "string", "pattern": _list_pattern(list(dataset.columns))},
         "description": f"comma-separated projection among: {', '.join(dataset.columns)}"},
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": sortable + ["-" + s for s in sortable]},
         "description": "sort column, `-` for descending; ties broken by the unique key"},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                                    "default": DEFAULT_LIMIT}},
        {"name": "cursor", "in": "query", "schema": {"type": "string"},
         "description": "opaque keyset cursor: `next_cursor` of the previous page"},
        {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}},
        _format_parameter(["json", "csv", "arrow"]),
        *filters,
    ]  # fmt: skip
    page = {
        "type": "object",
        "required": ["dataset", "limit", "count", "next_cursor", "data"],
        "properties": {
            "dataset": {"type": "string"},
            "limit": {"type": "integer"},
            "count": {"type": "integer"},
            "next_cursor": {"type": ["string", "null"]},
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema_name}"}},
        },
    }
    rows_content = {m: {"schema": s or page} for m, s in _MEDIA.items()}
    aggregate_parameters = [
        {"name": "group_by", "in": "query", "required": True,
         "schema": {"type": "string", "pattern": _list_pattern(dataset.dimensions)},
         "description": f"comma-separated dimensions among: {', '.join(dataset.dimensions)}"},
        {"name": "metrics", "in": "query", "schema": {"type": "string", "default": "count", "pattern": _list_pattern(
            ["count", *(f"{f}:{m}" for f in ("sum", "avg") for m in dataset.measures)])},
         "description": "comma-separated: count, sum:<measure>, avg:<measure>; measures: "
                        + (", ".join(dataset.measures) or "(none)")},
        _format_parameter(["json", "csv", "arrow"]),
        *filters,
    ]  # fmt: skip
    export_parameters = [rows_parameters[0], _format_parameter(["csv", "arrow", "parquet"]), *filters]
    aggregate_page = {"type": "object", "required": ["dataset", "group_by", "metrics", "data"],
                      "properties": {"dataset": {"type": "string"}, "group_by": {"type": "array"},
                                     "metrics": {"type": "array"}, "data": {"type": "array"}}}  # fmt: skip
    tags = ["datasets"]
    return {
        f"/v1/datasets/{dataset.name}/rows": {"get": {
            "summary": f"Rows of {dataset.name} ({dataset.classification})", "description": dataset.description,
            "operationId": f"rows_{dataset.name}", "tags": tags, "parameters": rows_parameters,
            "responses": _responses({"description": "One page of rows", "content": rows_content}),
        }},
        f"/v1/datasets/{dataset.name}/export": {"get": {
            "summary": f"Export {dataset.name} in bulk (CSV, Arrow IPC, Parquet)",
            "operationId": f"export_{dataset.name}",
            "description": "The whole dataset, or its filtered rows, streamed in the table's stored order (its unique "
                           "key); memory on the server does not grow with the dataset. Same auth and classification "
                           "as the rows.", "tags": tags, "parameters": export_parameters,
            "responses": {"200": {"description": "Every selected row", "content": {
                m: {"schema": s} for m, s in _EXPORT_MEDIA.items()}}, **openapi.problems(400, 401, 403, 406, 503)},
        }},
        f"/v1/datasets/{dataset.name}/aggregate": {"get": {
            "summary": f"Aggregate {dataset.name}", "operationId": f"aggregate_{dataset.name}", "tags": tags,
            "parameters": aggregate_parameters,
            "responses": _responses({"description": "One row per group", "content": {
                m: {"schema": s or aggregate_page} for m, s in _MEDIA.items()}}),
        }},
    }, {schema_name: _row_schema(dataset)}  # fmt: skip


def build_document(catalog: dict[str, Dataset], version: str) -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/v1/datasets": {"get": {
            "summary": "Catalog of the datasets the caller may read", "operationId": "list_datasets",
            "tags": ["datasets"],
            "responses": {"200": {"description": "Datasets", "content": {"application/json": {"schema": {
                "type": "object", "required": ["datasets"],
                "properties": {"datasets": {"type": "array", "items": {"type": "object"}}}}}}},
                **openapi.problems(401, 503)},
        }},
        **openapi.docs_paths(),
    }  # fmt: skip
    schemas: dict[str, Any] = {}
    for dataset in catalog.values():
        dataset_paths, dataset_schemas = _dataset_paths(dataset)
        paths.update(dataset_paths)
        schemas.update(dataset_schemas)
    return openapi.document(
        "Exposition API",
        version,
        "Read access to the gold datasets: keyset-paginated rows (JSON, CSV, Arrow IPC), aggregates and bulk "
        "export (CSV, Arrow IPC, Parquet).",
        paths,
        schemas,
    )
