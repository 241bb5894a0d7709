"""The ceiling of bench/api.py: a bare WSGI app returning precomputed page bytes, nothing else.

It serves the exact bytes the exposition API produced for each request of the benchmark (looked up by
query string), so the difference to the real app is everything the real app does per request.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

_PAGES: dict[str, bytes] = pickle.loads(Path(os.environ["CEILING_PAGES"]).read_bytes())


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    body = _PAGES.get(environ.get("QUERY_STRING", ""))
    if body is None:
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
