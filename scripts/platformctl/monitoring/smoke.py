"""Start an app under gunicorn (as the load gate does), send its slo.yaml `smoke` requests, scrape it."""

from __future__ import annotations

import json
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from platformctl.errors import PlatformError
from platformctl.loadtest import app_server
from platformctl.loadtest.slo import SloSpec, SmokeRequest
from platformctl.monitoring.exported import Exported, scrape
from platformctl.paths import build_dir


def send_one(base_url: str, token: str, request: SmokeRequest, timeout: float = 30) -> int:
    """Send one slo.yaml `smoke` request; its HTTP status (an error status is returned, not raised)."""
    data = json.dumps(request.body).encode() if request.body is not None else None
    headers = {"Authorization": f"Bearer {token}"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    if request.accept:
        headers["Accept"] = request.accept
    http = urllib.request.Request(base_url + request.path, data=data, headers=headers, method=request.method)
    try:
        with urllib.request.urlopen(http, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def send(base_url: str, token: str, spec: SloSpec) -> None:
    for request in spec.smoke:
        status = send_one(base_url, token, request)
        if status >= 400:
            raise PlatformError(
                f"apps/{spec.app}/slo.yaml smoke request {request.method} {request.path} answered {status}",
                fix="fix the smoke request (it must succeed) or the app",
            )


def exported_by_running_app(root: Path, spec: SloSpec) -> Exported:
    """What the app exports once every smoke request has been served (gunicorn stopped afterwards)."""
    warehouse = app_server.ensure_sample_gold(build_dir(root) / "loadtest" / "gold.duckdb")
    with tempfile.TemporaryDirectory(prefix=f"smoke-{spec.app}-") as folder:
        work = Path(folder)
        token = app_server.mint_dev_token(spec, work / "dev-auth")
        process, url = app_server.start_app(spec, root / "apps" / spec.app, work, warehouse, work / "dev-auth")
        try:
            app_server.wait_app_ready(process, url)
            send(url, token, spec)
            return scrape(url)
        finally:
            process.stop()
