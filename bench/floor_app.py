"""Floors of bench/api.py: what a page costs before the exposition API does anything of its own.

Both return the exact page bytes of the ceiling (`CEILING_PAGES`, looked up by query string) from a Flask
route shaped like the rows endpoint:
- `flask_app`: bare Flask (routing, request and response objects);
- `platform_app`: the data apps' base app (`dataplatform_common.webapp.create_base_app`: bearer-token check,
  request id, JSON request log line, Prometheus latency histogram), as every data app runs.
The gap between the ceiling and these floors is the cost of Flask and of the platform's per-request features.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from flask import Flask, Response, request

_PAGES: dict[str, bytes] = pickle.loads(Path(os.environ["CEILING_PAGES"]).read_bytes())


def _page(name: str) -> Response:
    body = _PAGES.get(request.query_string.decode())
    if body is None:
        return Response(status=404)
    return Response(body, mimetype="application/json")


flask_app = Flask(__name__)
flask_app.add_url_rule("/v1/datasets/<name>/rows", "rows", _page)


def _platform_app() -> Flask:
    from dataplatform_common.webapp import create_base_app

    app = create_base_app(__name__, "exposition-api")
    app.add_url_rule("/v1/datasets/<name>/rows", "rows", _page)
    return app


platform_app = _platform_app() if os.environ.get("FLOOR") == "platform" else None
