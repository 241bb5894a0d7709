"""Building blocks for the OpenAPI 3.1 documents the apps generate from their own code and catalog.

The apps never ship a hand-written document: each builds it from its routes' parameters, the dataset
catalog or the entity rules, so the document cannot drift from what the code accepts.
"""

from __future__ import annotations

import html
from typing import Any

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 7807 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": ["string", "null"]},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "message"],
                "properties": {"path": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

_STATUS_TEXT = {
    400: "Invalid request (see `errors` for the field paths)",
    401: "Missing, expired or invalid bearer token",
    403: "The token lacks the app role this resource needs",
    404: "Not found",
    406: "None of the accepted media types can be produced",
    413: "Request body too large",
    503: "Warehouse unavailable; retry after the Retry-After delay",
}


def problem(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _STATUS_TEXT[status],
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status == 503:
        response["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
    return response


def problems(*statuses: int) -> dict[str, Any]:
    return {str(status): problem(status) for status in statuses}


def docs_paths() -> dict[str, Any]:
    """The two documentation routes every data app serves: this document and its HTML page."""
    return {
        "/openapi.json": {"get": {"summary": "This document", "operationId": "openapi", "tags": ["docs"],
                                  "responses": {"200": {"description": "OpenAPI 3.1 document", "content": {
                                      "application/json": {"schema": {"type": "object"}}}},
                                      **problems(401)}}},
        "/docs": {"get": {"summary": "Human-readable API documentation", "operationId": "docs", "tags": ["docs"],
                          "responses": {"200": {"description": "HTML", "content": {
                              "text/html": {"schema": {"type": "string"}}}}, **problems(401)}}},
    }  # fmt: skip


def document(title: str, version: str, description: str, paths: dict[str, Any], schemas: dict[str, Any]) -> dict:
    """The full document: bearer security on everything except the anonymous health/metrics routes."""
    anonymous = {"security": []}
    health_paths = {
        "/healthz": {"get": {**anonymous, "summary": "Liveness", "operationId": "healthz", "tags": ["operations"],
                             "responses": {"200": {"description": "The process is alive",
                                                   "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/readyz": {"get": {**anonymous, "summary": "Readiness (warehouse reachable)", "operationId": "readyz",
                            "tags": ["operations"],
                            "responses": {"200": {"description": "Ready",
                                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                                          "503": {"description": "Warehouse unreachable",
                                                  "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/metrics": {"get": {**anonymous, "summary": "Prometheus metrics", "operationId": "metrics",
                             "tags": ["operations"],
                             "responses": {"200": {"description": "Prometheus text format",
                                                   "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
    }  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "security": [{"bearer": []}],
        "paths": {**paths, **health_paths},
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "Entra ID access token for this API (app roles in the `roles` claim)",
                }
            },
            "schemas": {"Problem": PROBLEM_SCHEMA, **schemas},
        },
    }


def docs_page(spec: dict[str, Any]) -> str:
    """A self-contained HTML page describing the operations (no CDN: it must work offline)."""
    rows = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            params = ", ".join(
                html.escape(p["name"]) + (" (required)" if p.get("required") else "")
                for p in operation.get("parameters", [])
            )
            statuses = ", ".join(operation.get("responses", {}))
            rows.append(
                f"<tr><td><code>{method.upper()}</code></td><td><code>{html.escape(path)}</code></td>"
                f"<td>{html.escape(operation.get('summary', ''))}</td><td>{params}</td><td>{statuses}</td></tr>"
            )
    info = spec["info"]
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(info['title'])}</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{border-bottom:1px solid #ddd;padding:4px 8px;"
        "text-align:left;vertical-align:top}</style></head><body>"
        f"<h1>{html.escape(info['title'])} <small>{html.escape(info['version'])}</small></h1>"
        f"<p>{html.escape(info['description'])}</p><p>Machine-readable: <a href='openapi.json'>openapi.json</a></p>"
        "<table><tr><th>Method</th><th>Path</th><th>Summary</th><th>Parameters</th><th>Responses</th></tr>"
        + "".join(rows)
        + "</table></body></html>"
    )
