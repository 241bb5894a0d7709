"""The load gate of one app: set up (local mode), drive the load, judge, write the reports, clean up.

Local mode starts gunicorn and Prometheus on 127.0.0.1 and stops both by PID whatever happens (error,
Ctrl-C, SIGTERM). Remote mode only reads: a deployed URL and an existing Prometheus.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from platformctl.errors import PlatformError
from platformctl.loadtest import app_server, locust_run, plot, prometheus_server, promql
from platformctl.loadtest.locust_support import TOKEN_ENV_VAR
from platformctl.loadtest.processes import ManagedProcess
from platformctl.loadtest.slo import load_slo, slo_file
from platformctl.loadtest.verdict import Verdict, judge
from platformctl.paths import build_dir, repo_root

REMOTE_SCRAPE_INTERVAL_SECONDS = 30.0


@dataclass(frozen=True)
class GateOptions:
    app: str
    out: Path
    target: str | None = None  # remote mode when set
    prometheus: str | None = None
    wsgi: str | None = None  # local mode: another WSGI entry point (tests use a degraded app)
    app_env: dict[str, str] | None = None
    duration_seconds: int | None = None  # shorter than slo.yaml's (tests of a degraded app)
    scrape_interval_seconds: float | None = None  # remote mode: the in-cluster Prometheus' (default 30 s)
    token: str | None = None  # remote mode: the bearer token (default $LOADTEST_TOKEN)


@contextmanager
def _signals_as_interrupt() -> Iterator[None]:
    """SIGINT (Ctrl-C) and SIGTERM (CI cancelling the job) unwind alike, so every started process is stopped.

    Both handlers are installed here rather than inherited: a shell starts a background job (`make test &`,
    nohup) with SIGINT ignored, and Python then installs no KeyboardInterrupt handler of its own.
    """

    def _raise(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = {signum: signal.signal(signum, _raise) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _cpu_seconds(process: ManagedProcess) -> float:
    """CPU time of a process and its live children (gunicorn master + workers)."""
    try:
        root = psutil.Process(process.pid)
        members = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for member in members:
        try:
            times = member.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            continue
    return total


def run_gate(options: GateOptions) -> Verdict:
    root = repo_root()
    spec = load_slo(slo_file(root, options.app))
    if options.duration_seconds:
        spec = spec.model_copy(
            update={"load": spec.load.model_copy(update={"duration_seconds": options.duration_seconds})}
        )
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("locust_stats.csv", "locust_stats_history.csv", "locust_failures.csv", "locust_exceptions.csv"):
        (out / stale).unlink(missing_ok=True)
    locustfile = root / "apps" / options.app / "locustfile.py"
    started_at = time.monotonic()
    with _signals_as_interrupt(), ExitStack() as stack:
        app_process: ManagedProcess | None = None
        if options.target is None:
            mode = "local"
            if options.prometheus:
                raise PlatformError(
                    "--prometheus needs --target", fix="give both (remote mode) or neither (local mode)"
                )
            work = out / "work"
            warehouse = app_server.ensure_sample_gold(build_dir(root) / "loadtest" / "gold.duckdb")
            auth_dir = work / "dev-auth"
            # Before gunicorn starts: the dev issuer makes its key pair on first use, and workers racing
            # to make it would each keep a different key.
            token = app_server.mint_dev_token(spec, auth_dir)
            app_process, target = app_server.start_app(
                spec, root / "apps" / options.app, work, warehouse, auth_dir, options.wsgi, options.app_env
            )
            stack.callback(app_process.stop)
            prom_process, prom_url = prometheus_server.start_prometheus(work, spec.app, target.removeprefix("http://"))
            stack.callback(prom_process.stop)
            app_server.wait_app_ready(app_process, target)
            prometheus_server.wait_prometheus_ready(prom_process, prom_url)
            client = promql.connect(prom_url)
            promql.wait_for_target(client, spec.app)
        else:
            mode = "remote"
            if not options.prometheus:
                raise PlatformError(
                    "--target needs --prometheus", fix="give the Prometheus URL that scrapes the target"
                )
            token = options.token or os.environ.get(TOKEN_ENV_VAR, "")
            if not token:
                raise PlatformError(f"remote mode needs a bearer token in ${TOKEN_ENV_VAR}", fix="export it first")
            target, prom_url = options.target.rstrip("/"), options.prometheus.rstrip("/")
            client = promql.connect(prom_url)
        setup_seconds = time.monotonic() - started_at
        server_cpu_before = _cpu_seconds(app_process) if app_process else 0.0
        locust = locust_run.run_locust(spec, locustfile, target, token, out)
        server_cpu = _cpu_seconds(app_process) - server_cpu_before if app_process else None
        # Let Prometheus scrape the counters once more after the last request.
        scrape_interval = options.scrape_interval_seconds or (
            prometheus_server.SCRAPE_INTERVAL_SECONDS if mode == "local" else REMOTE_SCRAPE_INTERVAL_SECONDS
        )
        time.sleep(2 * scrape_interval + 0.5)
        window_end = time.time()
        prom = promql.judge_window(client, spec, locust.started, window_end)
        verdict = judge(spec, locust, prom, mode, target)
        series = promql.latency_series(client, spec, locust.started, window_end)
    plot.write_latency_plot(
        out / "latency.png", spec, plot.locust_p95_history(out / "locust_stats_history.csv"), series
    )
    verdict.facts["setup_seconds"] = round(setup_seconds, 2)
    if server_cpu is not None:
        verdict.facts["server_cpu_seconds"] = round(server_cpu, 2)
        verdict.facts["locust_share_of_client_plus_server_cpu"] = round(
            locust.cpu_seconds / (locust.cpu_seconds + server_cpu), 3
        ) if (locust.cpu_seconds + server_cpu) > 0 else 0.0  # fmt: skip
    verdict.facts["gate_wall_seconds"] = round(time.monotonic() - started_at, 2)
    (out / "verdict.json").write_text(verdict.to_json() + "\n", encoding="utf-8")
    return verdict
