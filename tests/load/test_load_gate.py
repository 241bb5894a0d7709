"""The load gate end to end: real gunicorn, Prometheus and locust on 127.0.0.1 (bounded, ~45 s a run).

A healthy app passes within 60 s wall; a slowed route or injected errors fail it; nothing it started
survives it, also when it is interrupted.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from platformctl.loadtest.gate import GateOptions, run_gate
from platformctl.loadtest.verdict import Verdict

pytestmark = [pytest.mark.load, pytest.mark.slow]
HERE = Path(__file__).resolve().parent


def assert_nothing_left(out: Path, verdict: Verdict | None = None) -> None:
    leftovers = []
    for process in psutil.process_iter(["pid", "cmdline", "environ"]):
        try:
            text = (
                " ".join(process.info["cmdline"] or []) + " " + str((process.info["environ"] or {}).get("DEV_AUTH_DIR"))
            )
        except psutil.Error:
            continue
        if str(out) in text and process.pid != os.getpid():
            leftovers.append(f"{process.pid} {text[:120]}")
    assert leftovers == []
    if verdict is not None:
        host, port = verdict.target_url.removeprefix("http://").split(":")
        with pytest.raises(OSError), socket.create_connection((host, int(port)), timeout=1):
            pass


def degraded(app: str, factory: str, route: str, **degradation: str) -> dict[str, str]:
    env = {"PYTHONPATH": str(HERE), "DEGRADE_FACTORY": factory, "DEGRADE_ROUTE": route}
    env.update({f"DEGRADE_{key.upper()}": value for key, value in degradation.items()})
    return env


@pytest.mark.parametrize("app", ["exposition-api", "enrichment-api"])
def test_a_healthy_app_passes_within_a_minute(app: str, tmp_path: Path) -> None:
    verdict = run_gate(GateOptions(app=app, out=tmp_path))
    assert verdict.passed, "\n" + verdict.table()
    assert verdict.facts["gate_wall_seconds"] < 60
    assert verdict.facts["locust_cpu_share_of_one_core"] < 0.9
    for report in ("verdict.json", "locust_stats.csv", "locust.html", "latency.png"):
        assert (tmp_path / report).stat().st_size > 0, report
    assert_nothing_left(tmp_path, verdict)
    if app == "exposition-api":  # its slo.yaml `prepare` built the serving format before the load, in the run's TMPDIR
        builds = sorted(path.name for path in (tmp_path / "work/tmp/exposition-serving").iterdir() if path.is_dir())
        assert builds and not [name for name in builds if ".tmp-" in name], builds
        assert "serving: claims:" in (tmp_path / "work/prepare.log").read_text(encoding="utf-8")


def test_a_slowed_route_fails_its_latency_objectives(tmp_path: Path) -> None:
    env = degraded("exposition-api", "exposition_api:create_app", "/v1/datasets/<name>/aggregate", delay_ms="900")
    verdict = run_gate(
        GateOptions(app="exposition-api", out=tmp_path, wsgi="degraded_app:app", app_env=env, duration_seconds=15)
    )
    failed = {row.objective for row in verdict.failures()}
    assert not verdict.passed
    assert {"aggregate p95 latency (ms)", "aggregate p99 latency (ms)"} <= failed, "\n" + verdict.table()
    aggregate = next(row for row in verdict.rows if row.objective == "aggregate p95 latency (ms)")
    assert aggregate.locust >= 900 and aggregate.prometheus >= 750  # both sources see it
    assert_nothing_left(tmp_path, verdict)


def test_injected_errors_fail_the_error_ratio_and_both_sources_agree(tmp_path: Path) -> None:
    env = degraded("enrichment-api", "enrichment_api:create_app", "/v1/enrich/<entity>", error_ratio="0.1")
    verdict = run_gate(
        GateOptions(app="enrichment-api", out=tmp_path, wsgi="degraded_app:app", app_env=env, duration_seconds=15)
    )
    errors = next(row for row in verdict.rows if row.objective.startswith("error ratio"))
    assert not errors.meets_slo and errors.agree, "\n" + verdict.table()
    assert 0.04 < errors.locust < 0.2 and 0.04 < errors.prometheus < 0.2
    assert_nothing_left(tmp_path, verdict)


def _inherit_sigint(disposition: signal.Handlers) -> None:
    signal.signal(signal.SIGINT, disposition)


@pytest.mark.parametrize(
    "inherited",
    [signal.SIG_DFL, signal.SIG_IGN],
    ids=["from-a-terminal", "as-a-background-job"],  # `make test &` or nohup: SIGINT inherited as ignored
)
def test_ctrl_c_stops_everything_it_started(tmp_path: Path, inherited: signal.Handlers) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "platformctl", "loadtest", "enrichment-api", "--out", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: _inherit_sigint(inherited),  # the disposition is kept across exec
    )  # fmt: skip
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and not (tmp_path / "locust.log").exists():  # the load has started
        time.sleep(0.2)
    assert (tmp_path / "locust.log").exists(), "the gate never started locust"
    time.sleep(2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    assert_nothing_left(tmp_path)


def test_remote_mode_judges_a_deployed_app_through_its_prometheus(tmp_path: Path, monkeypatch) -> None:
    """Stand-in for a cluster: an app and a Prometheus already running; the gate only reads them."""
    from platformctl.loadtest import app_server, prometheus_server
    from platformctl.loadtest.slo import load_slo
    from platformctl.paths import build_dir, repo_root

    spec = load_slo(repo_root() / "apps" / "enrichment-api" / "slo.yaml")
    work = tmp_path / "cluster"
    warehouse = app_server.ensure_sample_gold(build_dir() / "loadtest" / "gold.duckdb")
    # Mint first: the dev issuer creates its key pair on first use, and gunicorn workers racing to create
    # it would each keep their own key (a third of the requests would then answer 401).
    token = app_server.mint_dev_token(spec, work / "auth")
    app, url = app_server.start_app(spec, repo_root() / "apps" / "enrichment-api", work, warehouse, work / "auth")
    prometheus, prometheus_url = prometheus_server.start_prometheus(work, "in-cluster-job", url.removeprefix("http://"))
    try:
        app_server.wait_app_ready(app, url)
        prometheus_server.wait_prometheus_ready(prometheus, prometheus_url)
        monkeypatch.setenv("LOADTEST_TOKEN", token)
        options = GateOptions(app="enrichment-api", out=tmp_path / "report", target=url, prometheus=prometheus_url,
                              duration_seconds=10, scrape_interval_seconds=1)  # fmt: skip
        verdict = run_gate(options)
    finally:
        app.stop()
        prometheus.stop()
    assert verdict.mode == "remote" and verdict.target_url == url
    assert verdict.passed, "\n" + verdict.table()
    assert "server_cpu_seconds" not in verdict.facts  # nothing of its own was started


def test_remote_mode_needs_both_urls_and_a_token(tmp_path: Path, monkeypatch) -> None:
    from platformctl.errors import PlatformError

    monkeypatch.delenv("LOADTEST_TOKEN", raising=False)
    with pytest.raises(PlatformError, match="--target needs --prometheus"):
        run_gate(GateOptions(app="enrichment-api", out=tmp_path, target="http://127.0.0.1:9"))
    with pytest.raises(PlatformError, match="--prometheus needs --target"):
        run_gate(GateOptions(app="enrichment-api", out=tmp_path, prometheus="http://127.0.0.1:9"))
    with pytest.raises(PlatformError, match=r"needs a bearer token in \$LOADTEST_TOKEN"):
        run_gate(
            GateOptions(
                app="enrichment-api", out=tmp_path, target="http://127.0.0.1:9", prometheus="http://127.0.0.1:9"
            )
        )
