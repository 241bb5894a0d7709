"""`platformctl monitoring` end to end on a copy of the checkout: clean passes, each defect fails."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from platformctl.cli import main
from platformctl.findings import errors
from platformctl.monitoring.gate import run_gate

pytestmark = pytest.mark.slow
COPIED = ["platform/monitoring", "tests/monitoring", "apps/chart"]


@pytest.fixture
def checkout(repo_root: Path, tmp_path: Path) -> Path:
    for part in COPIED:
        shutil.copytree(repo_root / part, tmp_path / part)
    for app in ("exposition-api", "enrichment-api"):
        for values in (repo_root / "apps" / app).glob("*.yaml"):
            (tmp_path / "apps" / app).mkdir(parents=True, exist_ok=True)
            shutil.copy(values, tmp_path / "apps" / app / values.name)
    return tmp_path


def test_the_repository_passes(checkout: Path) -> None:
    report = run_gate(checkout, scrape_apps=False)
    assert errors(report.findings) == []
    assert report.counts["dashboards"] == 3 and report.counts["rule files"] == 4


def test_each_defect_is_a_finding(checkout: Path) -> None:
    rules = checkout / "platform" / "monitoring" / "rules" / "dagster.rules.yaml"
    rules.write_text(rules.read_text().replace("for: 5m", "for: 5 minutes"))
    board_file = checkout / "platform" / "monitoring" / "dashboards" / "enrichment-api.json"
    board = json.loads(board_file.read_text())
    board["uid"] = "dataapp-exposition-api"  # the other API's uid
    board["panels"][1]["targets"][0]["expr"] = "sum(rate(dataapp_http_request_duration_seconds_count[5m])"
    board_file.write_text(json.dumps(board))
    values = checkout / "apps" / "enrichment-api" / "values.yaml"
    values.write_text(values.read_text().replace("thresholdSeconds: 0.5", "thresholdSeconds: 0.3"))
    found = errors(run_gate(checkout, scrape_apps=False).findings)
    kinds = {(finding.kind, Path(finding.file).name or finding.name.split(":")[0]) for finding in found}
    assert kinds == {
        ("Dashboard", "exposition-api.json"),  # its uid is now also enrichment-api.json's
        ("PromQL", "enrichment-api.json"),  # unclosed parenthesis
        ("RuleFile", "dagster.rules.yaml"),  # bad duration
        ("RuleTest", "dagster.test.yaml"),  # its unit tests cannot load it
        ("PrometheusRule", "values-dev.yaml"),  # threshold not a bucket, per env
        ("PrometheusRule", "values-staging.yaml"),
        ("PrometheusRule", "values-prod.yaml"),
    }
    threshold = next(finding for finding in found if finding.kind == "PrometheusRule")
    assert "thresholdSeconds 0.3 of enrichment-api is not a histogram bucket" in threshold.message


def test_the_command_exits_non_zero_and_names_the_problem(checkout: Path, monkeypatch, capsys) -> None:
    board_file = checkout / "platform" / "monitoring" / "dashboards" / "platform-overview.json"
    board = json.loads(board_file.read_text())
    board["panels"][1]["datasource"] = {"type": "prometheus", "uid": "prometheus"}
    board_file.write_text(json.dumps(board))
    monkeypatch.setenv("PLATFORM_REPO_ROOT", str(checkout))
    assert main(["monitoring", "--no-scrape"]) == 1
    out = capsys.readouterr().out
    assert "platform-overview.json" in out and "not the variable" in out and "1 error(s)" in out
