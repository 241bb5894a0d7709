"""RFC 7807 problem+json responses: every error the data apps return, never a traceback."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson
from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from dataplatform_common.warehouse import QueryValueError, WarehouseUnavailableError

PROBLEM_TYPE_BASE = "https://dataplatform.example/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


class ApiProblemError(Exception):
    """Raised by views: becomes a problem+json response with `status`, `detail` and optional extras."""

    def __init__(self, status: int, detail: str, *, kind: str | None = None, **extras: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.extras = extras


def problem_response(status: int, detail: str, *, kind: str | None = None, **extras: Any) -> Response:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (kind or phrase.lower().replace(" ", "-")),
        "title": phrase,
        "status": status,
        "detail": detail,
        "instance": request.path if request else None,
    }
    request_id = g.get("request_id") if g else None
    if request_id:
        body["request_id"] = request_id
    body.update(extras)
    return Response(orjson.dumps(body), status=status, mimetype=PROBLEM_CONTENT_TYPE)


def field_error(path: str, message: str, code: str = "invalid") -> dict[str, str]:
    """One entry of the `errors` list of a 400: `path` is a JSON path or `query.<param>`."""
    return {"path": path, "code": code, "message": message}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiProblemError)
    def _api_problem(error: ApiProblemError) -> Response:
        return problem_response(error.status, error.detail, kind=error.kind, **error.extras)

    @app.errorhandler(WarehouseUnavailableError)
    def _warehouse_down(error: WarehouseUnavailableError) -> Response:
        current_app.logger.warning("warehouse unavailable: %s", error)
        response = problem_response(503, "the data warehouse is unavailable, retry later", kind="warehouse-unavailable")
        response.headers["Retry-After"] = str(error.retry_after_seconds)
        return response

    @app.errorhandler(QueryValueError)
    def _bad_value(error: QueryValueError) -> Response:
        return problem_response(400, f"a parameter value is out of range for its column: {error}",
                                kind="invalid-parameters", errors=[field_error("query", str(error))])  # fmt: skip

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        response = problem_response(status, error.description or HTTPStatus(status).phrase)
        if status == 405 and error.get_response().headers.get("Allow"):
            response.headers["Allow"] = error.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        current_app.logger.exception("unhandled error")
        return problem_response(500, "internal error; the request id identifies it in the logs")
