"""The app under the real gunicorn config: 2 worker processes, metrics aggregated across them."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parents[1]
REQUESTS = 40  # at least
BATCH = 8
MAX_REQUESTS = 400


def _worker_pids(prometheus_dir: Path) -> set[str]:
    return {path.stem.rsplit("_", 1)[-1] for path in prometheus_dir.iterdir()} if prometheus_dir.exists() else set()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_metrics_are_aggregated_across_gunicorn_workers(gold_file: Path, tmp_path: Path, tokens) -> None:
    port = _free_port()
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "2",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"), "WAREHOUSE_URL": f"duckdb://{gold_file}",
           "AUTH_MODE": "dev", "DEV_AUTH_DIR": str(tokens.issuer.directory), "LOG_REQUESTS": "false"}  # fmt: skip
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "-c", str(APP_DIR / "gunicorn.conf.py"), "exposition_api.wsgi:app"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                assert process.poll() is None and time.time() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        headers = tokens.header("Data.Read.Internal")

        def get_rows(_: int) -> int:  # a new connection each time: the workers take turns accepting them
            request = urllib.request.Request(f"{base}/v1/datasets/claims/rows?limit=2&status=OPEN", headers=headers)
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status

        # Which worker accepts a connection is the kernel's choice: send concurrent batches until both
        # workers have served (bounded), then check every request was counted once.
        sent = 0
        with ThreadPoolExecutor(max_workers=8) as pool:
            while sent < MAX_REQUESTS and (sent < REQUESTS or len(_worker_pids(tmp_path / "prom")) < 2):
                assert list(pool.map(get_rows, range(BATCH))) == [200] * BATCH
                sent += BATCH
        metrics = urllib.request.urlopen(f"{base}/metrics", timeout=5).read().decode()
        files = {path.stem for path in (tmp_path / "prom").iterdir()}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    pattern = r'dataapp_http_request_duration_seconds_count\{app="exposition-api",method="GET",' \
              r'route="/v1/datasets/<name>/rows",status="(\d+)"\} (\S+)'  # fmt: skip
    counts = {status: float(value) for status, value in re.findall(pattern, metrics)}
    assert counts == {"200": sent}  # every request counted once, whichever worker served it
    worker_pids = {name.rsplit("_", 1)[-1] for name in files}
    assert len(worker_pids) >= 2, f"expected metric files from 2 workers after {sent} requests, got {sorted(files)}"
