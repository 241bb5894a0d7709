"""Gunicorn server hooks shared by the data apps' gunicorn.conf.py files.

Prometheus multiprocess mode needs an empty PROMETHEUS_MULTIPROC_DIR before the workers start and the
files of dead workers marked, so their gauges do not linger (counters and histograms are kept).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any


def prepare_multiprocess_dir() -> str:
    """Set PROMETHEUS_MULTIPROC_DIR (a fresh temporary folder unless given) and empty it."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="prometheus-multiproc-")
    path = Path(directory)
    if path.exists():
        for child in path.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    path.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return str(path)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
