"""Gunicorn settings shared by every Flask data app (12-factor: each value has an environment override).

An app's `gunicorn.conf.py` is one star import of this module, so every app runs with the same,
benchmarked settings: one process per core, and threads per process from the warehouse (see
`dataplatform_common.worker_threads`: 1 on an embedded DuckDB file, 4 on a remote warehouse).
"""

import os
from pathlib import Path

from dataplatform_common.gunicorn_hooks import child_exit, prepare_multiprocess_dir
from dataplatform_common.worker_threads import default_threads

prepare_multiprocess_dir()  # before the workers fork, so they all write their metrics to the same folder

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8080')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or default_threads(os.environ.get("WAREHOUSE_URL")))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = 100
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm" if Path("/dev/shm").is_dir() else None)
accesslog = None  # the app logs one JSON line per request itself
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# What gunicorn reads from a config module: its settings and the server hook.
__all__ = [
    "accesslog",
    "bind",
    "child_exit",
    "errorlog",
    "forwarded_allow_ips",
    "graceful_timeout",
    "keepalive",
    "loglevel",
    "max_requests",
    "max_requests_jitter",
    "threads",
    "timeout",
    "worker_class",
    "worker_tmp_dir",
    "workers",
]
