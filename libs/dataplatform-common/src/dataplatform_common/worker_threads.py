"""How many gunicorn threads a worker should run, from where its data comes from.

Measured with bench/api.py (2 workers, 32 connections, server CPU per request): on an embedded DuckDB file
a request is CPU work under the GIL from start to end, and 4 threads per worker cost 4.4 ms of server CPU
per uncached page against 3.2 ms with 1 (the threads only fight for the GIL), with a higher p99. A remote
warehouse (Snowflake) makes a request wait on the network most of its time: threads then overlap the waits.
Scale an embedded-DuckDB app with workers (processes), a remote-warehouse app with threads.
"""

from __future__ import annotations

EMBEDDED_THREADS = 1
REMOTE_THREADS = 4


def default_threads(warehouse_url: str | None) -> int:
    """Threads per worker when GUNICORN_THREADS is not set; `None` is the apps' default (DuckDB) warehouse."""
    if warehouse_url is None or warehouse_url.startswith("duckdb://"):
        return EMBEDDED_THREADS
    return REMOTE_THREADS
