"""A deliberately degraded data app for the load gate's negative tests (gunicorn `degraded_app:app`).

The real app from DEGRADE_FACTORY (`exposition_api:create_app`), plus, on the route DEGRADE_ROUTE only
(a Flask URL rule), a DEGRADE_DELAY_MS sleep and/or a 500 for DEGRADE_ERROR_RATIO of the requests. The
hook runs after the app's own timer starts, so its metrics see the degradation like a real regression.
"""

from __future__ import annotations

import os
import random
import time
from importlib import import_module

from flask import abort, request

_module, _, _factory = os.environ["DEGRADE_FACTORY"].partition(":")
app = getattr(import_module(_module), _factory)()
ROUTE = os.environ["DEGRADE_ROUTE"]
DELAY_SECONDS = float(os.environ.get("DEGRADE_DELAY_MS", "0")) / 1000
ERROR_RATIO = float(os.environ.get("DEGRADE_ERROR_RATIO", "0"))


@app.before_request
def _degrade() -> None:
    if request.url_rule is None or request.url_rule.rule != ROUTE:
        return
    if DELAY_SECONDS:
        time.sleep(DELAY_SECONDS)
    if ERROR_RATIO and random.random() < ERROR_RATIO:
        abort(500)
