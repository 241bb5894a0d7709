"""The /v1 datasets blueprint: catalog, rows (keyset pages in JSON/CSV/Arrow), aggregates and bulk export."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from dataplatform_common.metrics import rows_served
from dataplatform_common.problems import ApiProblemError, field_error
from dataplatform_common.warehouse import Warehouse
from dataplatform_common.webapp import get_principal, get_warehouse
from flask import Blueprint, Response, current_app, g, request

from exposition_api import export, formats
from exposition_api.cache import CachedResponse, ResponseCache, make_etag
from exposition_api.catalog import Dataset
from exposition_api.query import (
    MAX_GROUPS,
    AggregateQuery,
    QueryError,
    RowsQuery,
    build_aggregate_query,
    build_export_query,
    build_rows_query,
    encode_cursor,
)
from exposition_api.serving import Page, ServingStore

blueprint = Blueprint("datasets", __name__, url_prefix="/v1")
_audit = logging.getLogger("dataplatform.audit")
GZIP_MIN_BYTES = 1024
QueryT = TypeVar("QueryT")
QueryBuilder = Callable[[Dataset, Mapping[str, list[str]], Callable[[str], str]], QueryT]


def _catalog() -> dict[str, Dataset]:
    return current_app.extensions["catalog"]


def _cache() -> ResponseCache:
    return current_app.extensions["response_cache"]


def _serving() -> ServingStore | None:
    return current_app.extensions.get("serving")


def _media_type(choices: tuple[str, ...] = formats.MEDIA_TYPES) -> tuple[str | None, list[tuple[str, str]]]:
    """(media type or None for a 406, the `format` parameter's errors)."""
    try:
        return formats.negotiate(request.accept_mimetypes, request.args.getlist("format"), choices), []
    except formats.UnknownFormatError as error:
        return None, [("query.format", str(error))]


def _build(build: QueryBuilder[QueryT], dataset: Dataset, errors: list[tuple[str, str]]) -> QueryT:
    """The query, or a 400 listing every bad parameter (`errors`: those found before, e.g. the format's)."""
    try:
        query = build(dataset, _args(), get_warehouse().quote)
    except QueryError as error:
        raise _bad_request(QueryError(error.errors + errors)) from None
    if errors:
        raise _bad_request(QueryError(errors))
    return query


def _readable_dataset(name: str) -> Dataset:
    dataset = _catalog().get(name)
    if dataset is None:
        raise ApiProblemError(404, f"no dataset named {name!r}; GET /v1/datasets lists them", kind="unknown-dataset")
    if not get_principal().may_read(dataset.classification):
        raise ApiProblemError(
            403, f"dataset {name} is {dataset.classification}: the app role Data.Read."
            f"{dataset.classification.capitalize()} (or higher) is required", kind="forbidden",
        )  # fmt: skip
    return dataset


def _bad_request(error: QueryError) -> ApiProblemError:
    return ApiProblemError(400, "invalid query parameters", kind="invalid-parameters",
                      errors=[field_error(path, message) for path, message in error.errors])  # fmt: skip


def _send(entry: CachedResponse) -> Response:
    """Honour If-None-Match (304) and Accept-Encoding: gzip on a serialised response."""
    if request.if_none_match.contains(entry.etag):
        response = Response(status=304)
    elif len(entry.body) >= GZIP_MIN_BYTES and "gzip" in request.accept_encodings:
        response = Response(entry.gzipped(), mimetype=entry.mimetype)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(entry.body, mimetype=entry.mimetype)
    response.set_etag(entry.etag)
    response.headers["Vary"] = "Accept, Accept-Encoding"
    response.headers["Cache-Control"] = "private, max-age=60"
    response.headers.update(entry.headers)
    return response


def _cached(
    dataset: Dataset,
    operation: str,
    build: QueryBuilder[QueryT],
    produce: Callable[[QueryT, str, str], CachedResponse],
) -> Response:
    """Serve from the response cache, or `build` the query (400 on bad parameters) and `produce` the body.

    A hit skips query parsing and SQL building: only valid requests are ever cached, under their exact
    parameters, so a hit is a valid request. Bad parameters still win over an unacceptable Accept (400
    before 406) because the query is built first on a miss."""
    media_type, format_errors = _media_type()
    cache = _cache()
    key = None
    version = get_warehouse().version()  # once per request: the cache key and the serving format agree on it
    if media_type is not None and not format_errors:
        key = (dataset.name, operation, media_type, version, tuple(sorted(request.args.items(multi=True))))
    entry = cache.get(key) if key is not None else None
    if entry is None:
        query = _build(build, dataset, format_errors)
        if media_type is None:
            raise ApiProblemError(406, f"supported media types: {', '.join(formats.MEDIA_TYPES)}")
        entry = produce(query, media_type, version)
        cache.put(key, entry)
    if entry.rows:
        rows_served().labels(current_app.config["APP_NAME"], dataset.name, formats.FORMAT_NAMES[media_type]).inc(
            entry.rows
        )
    return _send(entry)


def _args() -> dict[str, list[str]]:
    return request.args.to_dict(flat=False)


def _refresh_metadata() -> dict[str, tuple[Any, Any]]:
    """table -> (refreshed_at, row_count) from `meta_refresh`; empty when the gold layer has no such table."""
    warehouse = get_warehouse()
    exists = warehouse.query(
        "SELECT count(*) FROM information_schema.tables WHERE lower(table_name) = ?",
        ["meta_refresh"],
        operation="catalog",
    ).rows[0][0]
    if not exists:
        return {}
    result = warehouse.query(
        f"SELECT dataset, refreshed_at, row_count FROM {warehouse.quote('meta_refresh')}", operation="catalog"
    )
    return {row[0]: (row[1], row[2]) for row in result.rows}


@blueprint.get("/datasets")
def list_datasets() -> Response:
    refresh = _refresh_metadata()
    principal = get_principal()
    datasets = []
    for dataset in _catalog().values():
        if not principal.may_read(dataset.classification):
            continue
        refreshed_at, row_count = refresh.get(dataset.table, (None, None))
        datasets.append({
            "name": dataset.name,
            "description": dataset.description,
            "owner": dataset.owner,
            "classification": dataset.classification,
            "row_count": row_count,
            "last_refresh": refreshed_at,
            "unique_key": list(dataset.unique_key),
            "dimensions": list(dataset.dimensions),
            "measures": list(dataset.measures),
            "columns": [
                {"name": c.name, "type": c.type, "description": c.description, "filters": list(c.filters),
                 "sortable": c.sortable}
                for c in dataset.columns.values()
            ],
        })  # fmt: skip
    return Response(formats.dumps({"datasets": datasets}), mimetype=formats.JSON)


def _page_meta(dataset: Dataset, query: RowsQuery, count: int, next_cursor: str | None) -> dict[str, Any]:
    return {"dataset": dataset.name, "limit": query.limit, "count": count, "next_cursor": next_cursor}


def _arrow_page(warehouse: Warehouse, query: RowsQuery) -> Page:
    table = warehouse.query_arrow(query.sql, query.params, operation="rows")
    page = table.slice(0, query.limit)
    last = page.slice(page.num_rows - 1).to_pylist()[0] if table.num_rows > query.limit else None
    next_cursor = encode_cursor(query.order, last) if last else None
    return Page(formats.table_to_arrow(page.select(query.fields)), page.num_rows, next_cursor)


def _rows_page(warehouse: Warehouse, dataset: Dataset, query: RowsQuery, media_type: str) -> Page:
    sql = query.json_sql if media_type == formats.JSON and query.json_sql else query.sql
    result = warehouse.query(sql, query.params, operation="rows")
    rows = result.rows[: query.limit]
    last = dict(zip(result.columns, rows[-1], strict=True)) if len(result.rows) > query.limit else None
    next_cursor = encode_cursor(query.order, last) if last else None
    indexes = [result.columns.index(f) for f in query.fields]
    projected = [tuple(row[i] for i in indexes) for row in rows] if query.fields != result.columns else rows
    if media_type == formats.CSV:
        body = formats.rows_to_csv(query.fields, projected)
    else:
        body = formats.rows_to_json(_page_meta(dataset, query, len(rows), next_cursor), query.fields, projected)
    return Page(body, len(rows), next_cursor)


def _served_page(dataset: Dataset, query: RowsQuery, media_type: str, version: str) -> Page | None:
    """The page from the serving format of this gold version, when it has one that answers the query."""
    store = _serving()
    warehouse = get_warehouse()
    if store is None or warehouse.published_version() != version:
        return None
    served = store.get(dataset, version)
    return served.page(query, media_type) if served is not None else None


@blueprint.get("/datasets/<name>/rows")
def dataset_rows(name: str) -> Response:
    dataset = _readable_dataset(name)
    warehouse = get_warehouse()

    def produce(query: RowsQuery, media_type: str, version: str) -> CachedResponse:
        page = _served_page(dataset, query, media_type, version)
        if page is None and media_type == formats.ARROW:
            page = _arrow_page(warehouse, query)
        elif page is None:
            page = _rows_page(warehouse, dataset, query, media_type)
        headers = {"X-Next-Cursor": page.next_cursor} if page.next_cursor else {}
        return CachedResponse(page.body, media_type, make_etag(page.body), headers, rows=page.count)

    return _cached(dataset, "rows", build_rows_query, produce)


@blueprint.get("/datasets/<name>/aggregate")
def dataset_aggregate(name: str) -> Response:
    dataset = _readable_dataset(name)
    warehouse = get_warehouse()

    def produce(query: AggregateQuery, media_type: str, version: str) -> CachedResponse:
        result = warehouse.query(query.sql, query.params, operation="aggregate")
        if len(result.rows) > MAX_GROUPS:
            raise ApiProblemError(400, f"more than {MAX_GROUPS} groups: add filters or fewer dimensions",
                             kind="too-many-groups",
                             errors=[field_error("query.group_by", "too many groups")])  # fmt: skip
        if media_type == formats.CSV:
            body = formats.rows_to_csv(result.columns, result.rows)
        elif media_type == formats.ARROW:
            body = formats.table_to_arrow(warehouse.query_arrow(query.sql, query.params, operation="aggregate"))
        else:
            meta = {"dataset": dataset.name, "group_by": query.group_by, "metrics": query.metrics}
            body = formats.rows_to_json(meta, result.columns, result.rows)
        return CachedResponse(body, media_type, make_etag(body), rows=0)

    return _cached(dataset, "aggregate", build_aggregate_query, produce)


@blueprint.get("/datasets/<name>/export")
def dataset_export(name: str) -> Response:
    """The whole dataset, or its filtered rows, streamed (no ETag, no cache: it is read once, in bulk)."""
    dataset = _readable_dataset(name)
    media_type, format_errors = _media_type(formats.EXPORT_MEDIA_TYPES)
    query = _build(build_export_query, dataset, format_errors)
    if media_type is None:
        raise ApiProblemError(406, f"supported media types: {', '.join(formats.EXPORT_MEDIA_TYPES)}")
    warehouse, app_name = get_warehouse(), current_app.config["APP_NAME"]
    batch_rows = current_app.config.get("EXPORT_BATCH_ROWS", 65_536)
    counter = rows_served().labels(app_name, dataset.name, formats.FORMAT_NAMES[media_type])
    audit = {"dataset": dataset.name, "classification": dataset.classification, "subject": get_principal().subject,
             "format": formats.FORMAT_NAMES[media_type], "request_id": g.get("request_id")}  # fmt: skip
    batches = warehouse.stream_arrow(query.sql, query.params, operation="export", batch_rows=batch_rows)
    first = next(batches, None)  # the query runs now: a bad value or a warehouse outage is still a problem+json

    def stream() -> Iterator[bytes]:
        rows = 0

        def count(n: int) -> None:
            nonlocal rows
            rows += n
            counter.inc(n)

        complete = False
        try:
            rest = itertools.chain([first] if first is not None else [], batches)
            schema = lambda: warehouse.query_arrow(query.sql + " LIMIT 0", query.params, operation="export").schema  # noqa: E731
            yield from export.encode(rest, schema, media_type, count)
            complete = True
        finally:
            _audit.info("export", extra={"audit": {**audit, "rows": rows, "complete": complete}})

    response = Response(stream(), mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{dataset.name}.{export.EXTENSIONS[media_type]}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
