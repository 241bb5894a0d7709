"""`platformctl status ENV` against the recorded Argo CD API: ready, degraded, out of sync, failed hook,
an old revision, a bad token and an unreachable server."""

from __future__ import annotations

import json
import socket

import pytest

from platformctl.cli import main


def _status(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = main(["status", "dev", *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_synced_healthy_environment_is_ready(argocd_replay, capsys) -> None:
    code, out, _ = _status(capsys)
    assert code == 0, out
    assert "READY" in out and "NOT READY" not in out
    assert "Succeeded (PostSync Job/exposition-api-verify)" in out
    assert argocd_replay.requests == ["/api/v1/applications"]


def test_the_first_wave_not_healthy_is_named_with_what_waits(argocd_replay, capsys) -> None:
    argocd_replay.set_status(
        "argo-cd", health__status="Degraded", health__message="Deployment exceeded its progress deadline"
    )
    code, out, _ = _status(capsys)
    assert code == 1
    wave = argocd_replay.applications["argo-cd"]["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
    assert f"first wave not ready: {wave}: argo-cd (health Degraded: Deployment exceeded its progress deadline)" in out


def test_out_of_sync_and_json(argocd_replay, capsys) -> None:
    argocd_replay.set_status("enrichment-api", sync__status="OutOfSync")
    code, out, _ = _status(capsys, "--json")
    assert code == 1
    document = json.loads(out)
    assert document["ready"] is False
    broken = [app for app in document["applications"] if not app["ready"]]
    assert [(app["name"], app["problems"]) for app in broken] == [("enrichment-api", ["sync OutOfSync"])]


def test_a_failed_verification_hook_fails_the_status(argocd_replay, capsys) -> None:
    argocd_replay.fail_hook("exposition-api", "Job has reached the specified backoff limit")
    code, out, _ = _status(capsys)
    assert code == 1
    assert "hook failed: PostSync Job/exposition-api-verify (Job has reached the specified backoff limit)" in out


def test_an_application_at_another_revision_is_not_ready(argocd_replay, capsys) -> None:
    old = "0" * 40
    application = argocd_replay.applications["dagster"]
    application["status"]["sync"]["revisions"] = [
        old if revision == argocd_replay.revision else revision
        for revision in application["status"]["sync"]["revisions"]
    ]
    code, out, _ = _status(capsys)
    assert code == 1
    assert "dagster" in out and "at 000000000000, not the expected revision" in out


def test_a_missing_application_is_reported(argocd_replay, capsys) -> None:
    del argocd_replay.applications["grafana"]
    code, out, _ = _status(capsys)
    assert code == 1 and "missing: not created yet" in out


def test_a_refused_token_is_an_error_with_the_fix(argocd_replay, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ARGOCD_AUTH_TOKEN_DEV", "expired")
    code, _, err = _status(capsys)
    assert code == 2
    assert "answered 401" in err and "generate a new one" in err


def test_an_unreachable_server_is_an_error(capsys, monkeypatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nothing listens there
    monkeypatch.setenv("ARGOCD_SERVER_DEV", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("ARGOCD_AUTH_TOKEN_DEV", "token")
    code, _, err = _status(capsys)
    assert code == 2
    assert "is unreachable" in err


def test_no_server_configured_names_the_variables(capsys, monkeypatch) -> None:
    for name in ("ARGOCD_SERVER_DEV", "ARGOCD_SERVER"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = _status(capsys)
    assert code == 2 and "ARGOCD_SERVER_DEV" in err
