"""`platformctl policy` as a person runs it: tables, one line per failure with its fix, exit codes, reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from platformctl.cli import main


@pytest.fixture
def repo(policy_repo: Callable[..., Path], repo_root: Path, mirror: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = policy_repo()
    monkeypatch.setenv("PLATFORM_REPO_ROOT", str(root))
    monkeypatch.setenv("VENV_ROOT", str(repo_root / ".venv"))
    monkeypatch.setenv("PLATFORM_UPSTREAM_MIRROR", str(mirror))
    return root


@pytest.mark.slow
def test_failure_is_one_line_with_fix_and_exit_1(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = repo / "rendered" / "dev" / "exposition-api" / "manifest.yaml"
    documents = [d for d in yaml.safe_load_all(manifest.read_text()) if d]
    service = next(d for d in documents if d["kind"] == "Service")
    service["spec"]["type"] = "NodePort"
    manifest.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    sarif_file, junit_file = repo / "out" / "policy.sarif", repo / "out" / "junit.xml"
    code = main(
        ["policy", "dev", "--rendered", str(repo / "rendered"), "--sarif", str(sarif_file), "--junit", str(junit_file)]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "policy: env dev (" in out
    line = next(x for x in out.splitlines() if x.startswith("ERROR [policy]"))
    assert (
        "Service/data-apps/exposition-api" in line
        and "CKV_PLATFORM_10" in line
        and "-> fix: use type ClusterIP" in line
    )
    assert json.loads(sarif_file.read_text())["runs"][0]["results"][0]["ruleId"] == "CKV_PLATFORM_10"
    assert 'failures="1"' in junit_file.read_text()


def test_missing_rendered_folder_is_a_one_line_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["policy", "prod", "--rendered", str(repo / "nowhere")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.count("\n") == 0 and "nowhere: no such folder" in err and "(fix:" in err


def test_missing_app_of_apps_names_the_file_and_the_fix(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "rendered" / "prod" / "_root" / "applications.yaml").unlink()
    code = main(["policy", "prod", "--rendered", str(repo / "rendered")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert "_root/applications.yaml" in err and "platformctl render prod" in err


def test_missing_checkov_stops_the_gate_in_one_line(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VENV_ROOT", str(tmp_path / "no-venvs"))
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    code = main(["policy", "dev", "--rendered", str(repo / "rendered")])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith("platformctl policy: required tool `checkov` not found"), captured.err
    assert "make venvs" in captured.err and captured.err.count("\n") == 1
    assert "PASSED" not in captured.out
