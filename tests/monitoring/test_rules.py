"""Platform rules: `promtool check rules` and `promtool test rules`, and every alert tested both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from platformctl.monitoring import promtool
from platformctl.monitoring.gate import Layout

pytestmark = pytest.mark.slow


def alerts_of(rule_file: Path) -> set[str]:
    groups = yaml.safe_load(rule_file.read_text())["groups"]
    return {rule["alert"] for group in groups for rule in group["rules"] if "alert" in rule}


def alert_expectations(test_file: Path) -> dict[str, set[bool]]:
    """alertname -> {True if some case expects it firing, False if some case expects it silent}."""
    seen: dict[str, set[bool]] = {}
    for case in yaml.safe_load(test_file.read_text())["tests"]:
        for check in case.get("alert_rule_test", []):
            seen.setdefault(check["alertname"], set()).add(bool(check.get("exp_alerts")))
    return seen


def test_there_are_rule_files_and_each_has_a_unit_test(layout: Layout) -> None:
    assert {p.name.removesuffix(".rules.yaml") for p in layout.rule_files} == {
        "argo-cd", "dagster", "datahub", "external-secrets",
    }  # fmt: skip
    tests = {p.name.removesuffix(".test.yaml") for p in layout.rule_tests}
    assert tests == {p.name.removesuffix(".rules.yaml") for p in layout.rule_files}


def test_promtool_check_rules_passes(layout: Layout) -> None:
    assert promtool.check_rules(layout.rule_files) == []


def test_promtool_unit_tests_pass(layout: Layout) -> None:
    assert promtool.test_rules(layout.rule_tests) == []


@pytest.mark.parametrize("stem", ["argo-cd", "dagster", "datahub", "external-secrets"])
def test_every_alert_is_tested_firing_and_not_firing(layout: Layout, stem: str) -> None:
    rule_file = layout.root / "platform" / "monitoring" / "rules" / f"{stem}.rules.yaml"
    expectations = alert_expectations(layout.root / "tests" / "monitoring" / "rules" / f"{stem}.test.yaml")
    for alert in alerts_of(rule_file):
        assert expectations.get(alert) == {True, False}, f"{alert}: test it firing and not firing"


def test_a_broken_rule_file_is_reported_with_promtool_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rules.yaml"
    bad.write_text("groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: sum(rate(x[5m])\n")
    (finding,) = promtool.check_rules([bad])
    assert finding.file == str(bad) and "unclosed left parenthesis" in finding.message


def test_a_wrong_expectation_fails_the_unit_test(layout: Layout, tmp_path: Path) -> None:
    source = layout.root / "tests" / "monitoring" / "rules" / "datahub.test.yaml"
    text = source.read_text().replace("../../../platform", str(layout.root / "platform"))
    wrong = tmp_path / "datahub.test.yaml"
    wrong.write_text(text.replace("eval_time: 3m", "eval_time: 11m"))  # down since 5m, alerting from 10m
    (finding,) = promtool.test_rules([wrong])
    assert "DataHubGMSUnavailable" in finding.message
