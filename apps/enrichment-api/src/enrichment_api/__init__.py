"""Enrichment API: clean and enrich producers' records in batches (see docs/contracts.md "Data apps")."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

from dataplatform_common import openapi
from dataplatform_common.auth import TokenVerifier
from dataplatform_common.warehouse import Warehouse
from dataplatform_common.webapp import create_base_app
from flask import Flask, Response, jsonify

APP_NAME = "enrichment-api"
MAX_BODY_BYTES = 4 * 1024 * 1024


def _version() -> str:
    try:
        return package_version(APP_NAME)
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def create_app(*, warehouse: Warehouse | None = None, verifier: TokenVerifier | None = None) -> Flask:
    """Build the app; arguments default to the environment (WAREHOUSE_URL, AUTH_MODE, ...)."""
    from enrichment_api.openapi_doc import build_document
    from enrichment_api.reference import WarehouseReference
    from enrichment_api.routes import blueprint

    app = create_base_app(__name__, APP_NAME, warehouse=warehouse, verifier=verifier)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.extensions["reference"] = WarehouseReference(app.extensions["warehouse"])
    spec = build_document(_version())
    page = openapi.docs_page(spec)
    app.register_blueprint(blueprint)
    app.add_url_rule("/openapi.json", "openapi", lambda: jsonify(spec), methods=["GET"])
    app.add_url_rule("/docs", "docs", lambda: Response(page, mimetype="text/html"), methods=["GET"])
    return app
