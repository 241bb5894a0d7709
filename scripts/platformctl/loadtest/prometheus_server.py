"""A real Prometheus (the Debian package) on 127.0.0.1 that scrapes the app under test every second."""

from __future__ import annotations

from pathlib import Path

import yaml

from platformctl.loadtest.processes import ManagedProcess, free_port, wait_until_ready
from platformctl.tools import find_tool

SCRAPE_INTERVAL_SECONDS = 1


def write_config(path: Path, job: str, target: str) -> Path:
    """prometheus.yml scraping `target` (host:port) as job `job`."""
    config = {
        "global": {"scrape_interval": f"{SCRAPE_INTERVAL_SECONDS}s", "evaluation_interval": "15s"},
        "scrape_configs": [{"job_name": job, "metrics_path": "/metrics", "static_configs": [{"targets": [target]}]}],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def start_prometheus(workdir: Path, job: str, target: str) -> tuple[ManagedProcess, str]:
    """Start Prometheus with a generated config; returns the process and its base URL (not yet ready)."""
    binary = find_tool("prometheus")
    config = write_config(workdir / "prometheus.yml", job, target)
    port = free_port()
    argv = [
        str(binary),
        f"--config.file={config}",
        f"--storage.tsdb.path={workdir / 'tsdb'}",
        "--storage.tsdb.retention.time=2h",
        f"--web.listen-address=127.0.0.1:{port}",
        "--log.level=warn",
    ]
    process = ManagedProcess("prometheus", argv, workdir / "prometheus.log")
    return process, f"http://127.0.0.1:{port}"


def wait_prometheus_ready(process: ManagedProcess, url: str, timeout_seconds: float = 20) -> float:
    return wait_until_ready(process, f"{url}/-/ready", timeout_seconds)
