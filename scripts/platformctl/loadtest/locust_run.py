"""Run locust headless as a child process (bounded in time and count) and read its CSV statistics.

The child is reaped with `os.wait4`, whose resource usage gives locust's own CPU time: the figure that
shows whether the load generator, rather than the app, was the bottleneck.
"""

from __future__ import annotations

import csv
import math
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from platformctl.errors import PlatformError
from platformctl.loadtest.locust_support import MAX_REQUESTS_ENV_VAR, TOKEN_ENV_VAR
from platformctl.loadtest.processes import ManagedProcess
from platformctl.loadtest.slo import SloSpec

EXTRA_SECONDS = 20  # start-up and stop-timeout allowance before the run is killed


@dataclass(frozen=True)
class GroupStats:
    requests: int
    failures: int
    p95_ms: float | None
    p99_ms: float | None


@dataclass
class LocustResult:
    started: float  # epoch seconds
    ended: float
    requests: int
    failures: int
    throughput_rps: float
    groups: dict[str, GroupStats] = field(default_factory=dict)
    cpu_seconds: float = 0.0
    exit_code: int = 0

    @property
    def wall_seconds(self) -> float:
        return self.ended - self.started

    @property
    def error_ratio(self) -> float | None:
        return self.failures / self.requests if self.requests else None

    @property
    def cpu_share(self) -> float:
        """Locust's CPU time as a fraction of one core over its run."""
        return self.cpu_seconds / self.wall_seconds if self.wall_seconds > 0 else 0.0


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isnan(value) else value


def read_stats(stats_csv: Path) -> tuple[dict[str, GroupStats], dict[str, str]]:
    """Per-name stats and the `Aggregated` row of locust's `<prefix>_stats.csv`."""
    if not stats_csv.is_file():
        raise PlatformError(
            f"locust wrote no statistics ({stats_csv} missing)", fix="read locust.log in the out folder"
        )
    groups: dict[str, GroupStats] = {}
    aggregated: dict[str, str] = {}
    with stats_csv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                aggregated = row
                continue
            groups[row["Name"]] = GroupStats(
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                p95_ms=_number(row["95%"]),
                p99_ms=_number(row["99%"]),
            )
    return groups, aggregated


def run_locust(spec: SloSpec, locustfile: Path, host: str, token: str, out: Path) -> LocustResult:
    """Drive `host` with the slo.yaml profile; returns locust's statistics and CPU time."""
    if not locustfile.is_file():
        raise PlatformError(f"{locustfile}: missing", fix=f"write the locustfile of {spec.app} (FastHttpUser)")
    locust = Path(sys.executable).with_name("locust")
    prefix = out / "locust"
    argv = [
        str(locust), "-f", str(locustfile), "--headless", "--host", host,
        "--users", str(spec.load.users), "--spawn-rate", str(spec.load.spawn_rate),
        "--run-time", f"{spec.load.duration_seconds}s", "--stop-timeout", "2",
        "--csv", str(prefix), "--html", str(out / "locust.html"),
        "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    env = {**os.environ, TOKEN_ENV_VAR: token, MAX_REQUESTS_ENV_VAR: str(spec.load.max_requests)}
    process = ManagedProcess("locust", argv, out / "locust.log", env=env)
    started = time.time()
    deadline = time.monotonic() + spec.load.duration_seconds + EXTRA_SECONDS
    status, cpu_seconds = None, 0.0
    try:
        while status is None:
            pid, wait_status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid == process.pid:
                status = os.waitstatus_to_exitcode(wait_status)
                cpu_seconds = usage.ru_utime + usage.ru_stime
                process.popen.returncode = status
            elif time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
                raise PlatformError(
                    f"locust did not stop within {spec.load.duration_seconds + EXTRA_SECONDS}s and was killed",
                    fix=f"read {process.log_file}",
                )
            else:
                time.sleep(0.1)
    finally:
        process.stop()
    ended = time.time()
    groups, aggregated = read_stats(out / "locust_stats.csv")
    if not aggregated or int(aggregated.get("Request Count", "0")) == 0:
        raise PlatformError(
            f"locust sent no request (exit code {status}): {process.log_tail()}", fix=f"read {process.log_file}"
        )
    return LocustResult(
        started=started,
        ended=ended,
        requests=int(aggregated["Request Count"]),
        failures=int(aggregated["Failure Count"]),
        throughput_rps=_number(aggregated["Requests/s"]) or 0.0,
        groups=groups,
        cpu_seconds=cpu_seconds,
        exit_code=status or 0,
    )
