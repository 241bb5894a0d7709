"""`platformctl promote --from A --to B` waits for evidence that A runs the change (recorded Argo CD API of A,
a git copy of the repository whose dev pins are bumped in a commit of their own)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from platformctl.argocd.revisions import resolve
from platformctl.cli import main

NEW_TAG = "4be2f0c19d7a"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git copy of what promotion reads (app-of-apps, clusters, the data apps' values), dev's exposition-api
    image tag bumped in the last commit."""
    source = Path(__file__).resolve().parents[2]
    for folder in (".argocd", "clusters", "apps/exposition-api", "apps/enrichment-api"):
        shutil.copytree(source / folder, tmp_path / folder, ignore=shutil.ignore_patterns("src", "tests", "*.py"))
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base")
    dev = tmp_path / "apps/exposition-api/values-dev.yaml"
    dev.write_text(dev.read_text() + f"image:\n  tag: {NEW_TAG}\n")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-am", "dev: new image")
    monkeypatch.setenv("PLATFORM_REPO_ROOT", str(tmp_path))
    return tmp_path


def _promote(*extra: str) -> int:
    return main(["promote", "exposition-api", "--from", "dev", "--to", "staging", *extra])


def _staging_tag(repo: Path) -> bool:
    return NEW_TAG in (repo / "apps/exposition-api/values-staging.yaml").read_text()


def test_promotes_when_dev_runs_the_change_and_its_hook_passed(repo: Path, serve_argocd, capsys) -> None:
    with serve_argocd(repo, "dev", resolve(repo, "HEAD")) as replay:
        replay.logs["exposition-api"] = (
            Path(__file__).with_name("recordings") / "logs-verify-passed.ndjson"
        ).read_text()
        assert _promote("--pr-body", str(repo / "body.md")) == 0
    assert _staging_tag(repo)
    body = (repo / "body.md").read_text()
    assert "### Evidence: dev is proven" in body
    assert "| rows p95 latency (ms) | <= 800 | 41.0 | 38.2 | pass |" in body
    assert "READY" in body and "Forced" not in body
    assert "evidence: dev runs" in capsys.readouterr().out


def test_refuses_while_dev_runs_an_older_revision(repo: Path, serve_argocd, capsys) -> None:
    with serve_argocd(repo, "dev", resolve(repo, "HEAD~1")):
        assert _promote() == 2
    err = capsys.readouterr().err
    assert "dev is not proven to run" in err and "not the expected revision" in err
    assert not _staging_tag(repo)


def test_refuses_when_the_verification_hook_failed(repo: Path, serve_argocd, capsys) -> None:
    with serve_argocd(repo, "dev", resolve(repo, "HEAD")) as replay:
        replay.fail_hook("exposition-api", "Job has reached the specified backoff limit")
        assert _promote() == 2
    err = capsys.readouterr().err
    assert "exposition-api: verification hook has not passed (Failed (PostSync Job/exposition-api-verify))" in err
    assert not _staging_tag(repo)


def test_refuses_when_the_hook_passed_before_the_change(repo: Path, serve_argocd, capsys) -> None:
    with serve_argocd(repo, "dev", resolve(repo, "HEAD")) as replay:
        old = resolve(repo, "HEAD~1")
        sync_result = replay.applications["exposition-api"]["status"]["operationState"]["syncResult"]
        sync_result["revisions"] = [old if r == replay.revision else r for r in sync_result["revisions"]]
        assert _promote() == 2
    assert f"verification hook passed at {old[:12]}" in capsys.readouterr().err


def test_refuses_a_degraded_environment_even_when_the_component_is_fine(repo: Path, serve_argocd, capsys) -> None:
    with serve_argocd(repo, "dev", resolve(repo, "HEAD")) as replay:
        replay.set_status("datahub", health__status="Degraded")
        assert _promote() == 2
    assert "datahub (wave" in capsys.readouterr().err


def test_force_needs_a_reason_and_records_it(repo: Path, monkeypatch, capsys) -> None:
    for name in ("ARGOCD_SERVER_DEV", "ARGOCD_SERVER"):
        monkeypatch.delenv(name, raising=False)
    assert _promote() == 2
    assert "--force REASON" in capsys.readouterr().err
    assert _promote("--force", "  ") == 2
    assert _promote("--force", "hotfix INC-4711, dev cluster down", "--pr-body", str(repo / "body.md")) == 0
    assert _staging_tag(repo)
    body = (repo / "body.md").read_text()
    assert "**Forced** without complete evidence: hotfix INC-4711, dev cluster down" in body
    assert "evidence unavailable: no Argo CD server for env dev" in body


def test_refuses_uncommitted_pins(repo: Path, serve_argocd, capsys) -> None:
    dev = repo / "apps/exposition-api/values-dev.yaml"
    dev.write_text(dev.read_text().replace(NEW_TAG, "5c0ffee5c0ff"))
    with serve_argocd(repo, "dev", resolve(repo, "HEAD")):
        assert _promote() == 2
    assert "uncommitted changes in apps/exposition-api/values-dev.yaml" in capsys.readouterr().err
