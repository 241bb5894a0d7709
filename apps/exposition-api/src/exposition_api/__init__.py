"""Exposition API: read access to the gold datasets (see docs/contracts.md "Data apps")."""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

from dataplatform_common import openapi
from dataplatform_common.auth import TokenVerifier
from dataplatform_common.warehouse import Warehouse
from dataplatform_common.webapp import create_base_app
from flask import Flask, Response, jsonify

APP_NAME = "exposition-api"


def _version() -> str:
    try:
        return package_version(APP_NAME)
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def create_app(
    *,
    warehouse: Warehouse | None = None,
    verifier: TokenVerifier | None = None,
    catalog_file: Path | None = None,
    cache_entries: int | None = None,
    serving_dir: Path | None = None,
    serving_background: bool = True,
    export_batch_rows: int = 65_536,
) -> Flask:
    """Build the app; arguments default to the environment (WAREHOUSE_URL, AUTH_MODE, CATALOG_FILE, ...).

    `serving_dir` (default SERVING_DIR, else $TMPDIR/exposition-serving) holds the rows endpoint's serving
    format, built in the background on first use of a gold version (`serving_background=False`: built by that
    first request); SERVING_FORMAT=off serves every page from the warehouse."""
    from exposition_api.cache import ResponseCache
    from exposition_api.catalog import load_catalog
    from exposition_api.openapi_doc import build_document
    from exposition_api.routes import blueprint
    from exposition_api.serving import ServingStore, default_root

    app = create_base_app(__name__, APP_NAME, warehouse=warehouse, verifier=verifier)
    catalog_path = catalog_file or (Path(os.environ["CATALOG_FILE"]) if os.environ.get("CATALOG_FILE") else None)
    app.extensions["catalog"] = load_catalog(catalog_path)
    entries = cache_entries if cache_entries is not None else int(os.environ.get("RESPONSE_CACHE_ENTRIES", "2048"))
    app.extensions["response_cache"] = ResponseCache(entries)
    if os.environ.get("SERVING_FORMAT", "on").lower() not in ("off", "0", "false", "no"):
        app.extensions["serving"] = ServingStore(
            serving_dir or default_root(), app.extensions["warehouse"], background=serving_background
        )
    app.config["EXPORT_BATCH_ROWS"] = export_batch_rows
    spec = build_document(app.extensions["catalog"], _version())
    page = openapi.docs_page(spec)
    app.register_blueprint(blueprint)
    app.add_url_rule("/openapi.json", "openapi", lambda: jsonify(spec), methods=["GET"])
    app.add_url_rule("/docs", "docs", lambda: Response(page, mimetype="text/html"), methods=["GET"])
    return app
