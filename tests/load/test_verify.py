"""`platformctl verify` (what the data apps' PostSync hook runs) against an app and a Prometheus already
running on 127.0.0.1, as the hook finds them in the cluster: smoke only, smoke + bounded load, a refused
token and an unreachable app."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from platformctl.cli import main
from platformctl.loadtest import app_server, prometheus_server
from platformctl.loadtest.slo import load_slo
from platformctl.loadtest.verify import VERDICT_PREFIX, parse_verdict
from platformctl.paths import build_dir, repo_root

pytestmark = [pytest.mark.load, pytest.mark.slow]
APP = "enrichment-api"


@dataclass(frozen=True)
class Deployed:
    url: str
    prometheus: str
    token: str


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    spec = load_slo(repo_root() / "apps" / APP / "slo.yaml")
    work = tmp_path_factory.mktemp("cluster")
    warehouse = app_server.ensure_sample_gold(build_dir() / "loadtest" / "gold.duckdb")
    token = app_server.mint_dev_token(spec, work / "auth")  # before gunicorn: one key pair for every worker
    app, url = app_server.start_app(spec, repo_root() / "apps" / APP, work, warehouse, work / "auth")
    prometheus, prometheus_url = prometheus_server.start_prometheus(work, APP, url.removeprefix("http://"))
    try:
        app_server.wait_app_ready(app, url)
        prometheus_server.wait_prometheus_ready(prometheus, prometheus_url)
        yield Deployed(url, prometheus_url, token)
    finally:
        app.stop()
        prometheus.stop()


def _verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    code = main(["verify", APP, *args])
    out = capsys.readouterr().out
    verdict = parse_verdict(out.splitlines())
    return code, verdict or {}, out


def test_smoke_passes_on_a_healthy_app(deployed: Deployed, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("LOADTEST_TOKEN", deployed.token)
    code, verdict, out = _verify(capsys, "--target", deployed.url, "--out", str(tmp_path))
    assert code == 0, out
    assert verdict["passed"] is True and verdict["load"] is None
    assert verdict["smoke"] == ["GET /healthz 200", "GET /readyz 200", "POST /v1/enrich/customer 200 (authenticated)"]


def test_smoke_and_bounded_load_judged_from_prometheus(deployed: Deployed, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("LOADTEST_TOKEN", deployed.token)
    code, verdict, out = _verify(
        capsys, "--target", deployed.url, "--prometheus", deployed.prometheus, "--load-seconds", "10",
        "--scrape-interval", str(prometheus_server.SCRAPE_INTERVAL_SECONDS), "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 0, out
    assert verdict["load"]["mode"] == "remote" and verdict["load"]["passed"] is True
    assert {row["result"] for row in verdict["load"]["rows"]} == {"pass"}
    assert json.loads((tmp_path / "verdict.json").read_text())["mode"] == "remote"


def test_a_refused_token_fails_the_verification(deployed: Deployed, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("LOADTEST_TOKEN", "not-a-token")
    code, verdict, out = _verify(capsys, "--target", deployed.url, "--out", str(tmp_path))
    assert code == 1
    assert verdict["passed"] is False
    assert verdict["failures"] == ["POST /v1/enrich/customer 401 (authenticated)"]
    assert out.splitlines()[-1].startswith(VERDICT_PREFIX)


def test_an_unreachable_app_is_an_error(tmp_path: Path, monkeypatch, capsys) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("LOADTEST_TOKEN", "token")
    assert main(["verify", APP, "--target", f"http://127.0.0.1:{port}", "--out", str(tmp_path)]) == 2
    assert "is unreachable" in capsys.readouterr().err


def test_no_token_and_no_workload_identity_is_an_error(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("LOADTEST_TOKEN", raising=False)
    monkeypatch.delenv("AZURE_FEDERATED_TOKEN_FILE", raising=False)
    assert main(["verify", APP, "--target", "http://127.0.0.1:9", "--out", str(tmp_path)]) == 2
    assert "no bearer token" in capsys.readouterr().err
