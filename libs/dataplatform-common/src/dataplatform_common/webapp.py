"""What both Flask data apps share: logging, errors, metrics, health, auth and Application Insights."""

from __future__ import annotations

import logging
import os

from flask import Flask, Response, current_app, g, jsonify, request

from dataplatform_common.auth import AuthError, Principal, TokenVerifier, verifier_from_environment
from dataplatform_common.logging_setup import configure_logging
from dataplatform_common.metrics import instrument, warehouse_observer
from dataplatform_common.problems import ApiProblemError, problem_response, register_error_handlers
from dataplatform_common.warehouse import DEFAULT_URL, Warehouse, WarehouseUnavailableError, open_warehouse

# The API's description (its OpenAPI document and docs page) serves no data: readable without a token.
ANONYMOUS_ENDPOINTS = frozenset({"healthz", "readyz", "metrics", "openapi", "docs"})
_appinsights_configured = False


def configure_application_insights(app_name: str) -> bool:
    """Send traces/metrics/logs to Application Insights only when a connection string is configured."""
    global _appinsights_configured
    if _appinsights_configured or not os.environ.get("APPLICATIONINSIGHTS_CONNECTION_STRING"):
        return _appinsights_configured
    from azure.monitor.opentelemetry import configure_azure_monitor

    os.environ.setdefault("OTEL_SERVICE_NAME", app_name)
    configure_azure_monitor(logger_name="dataplatform")
    _appinsights_configured = True
    return True


def create_base_app(
    import_name: str,
    app_name: str,
    *,
    warehouse: Warehouse | None = None,
    verifier: TokenVerifier | None = None,
) -> Flask:
    """A Flask app with the cross-cutting parts wired; the caller adds its blueprints."""
    configure_application_insights(app_name)
    app = Flask(import_name)
    app.config["APP_NAME"] = app_name
    app.json.sort_keys = False  # type: ignore[attr-defined]
    configure_logging(app, app_name, os.environ.get("LOG_LEVEL", "INFO"))
    instrument(app, app_name)
    register_error_handlers(app)
    app.extensions["warehouse"] = warehouse or open_warehouse(
        os.environ.get("WAREHOUSE_URL", DEFAULT_URL), observe=warehouse_observer(app_name)
    )
    app.extensions["verifier"] = verifier or verifier_from_environment(app_name)
    app.before_request(_authenticate)
    app.add_url_rule("/healthz", "healthz", _healthz, methods=["GET"])
    app.add_url_rule("/readyz", "readyz", _readyz, methods=["GET"])
    return app


def get_warehouse() -> Warehouse:
    return current_app.extensions["warehouse"]


def get_principal() -> Principal:
    return g.principal


def _authenticate() -> Response | None:
    if request.endpoint in ANONYMOUS_ENDPOINTS or request.endpoint is None:
        return None  # unknown routes fall through to the 404 problem
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorised("a bearer token is required (Authorization: Bearer <JWT>)")
    try:
        g.principal = current_app.extensions["verifier"].verify(token.strip())
    except AuthError as error:
        return _unauthorised(error.reason)
    return None


def _unauthorised(reason: str) -> Response:
    response = problem_response(401, reason)
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def require_role(role: str) -> None:
    if role not in get_principal().roles:
        raise ApiProblemError(403, f"the app role {role} is required", kind="forbidden")


def _healthz() -> Response:
    return jsonify(status="ok")


def _readyz() -> Response | tuple[Response, int]:
    try:
        get_warehouse().ping()
    except WarehouseUnavailableError as error:
        logging.getLogger("dataplatform").warning("not ready: %s", error)
        response = jsonify(ready=False, warehouse="unavailable")
        response.headers["Retry-After"] = str(error.retry_after_seconds)
        return response, 503
    return jsonify(ready=True, warehouse=get_warehouse().backend)
