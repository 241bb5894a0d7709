"""apps/chart/templates/prometheusrule.yaml: rendered by helm, checked and unit-tested by promtool."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from platformctl.errors import PlatformError
from platformctl.monitoring import promtool, slo_rules
from platformctl.monitoring.gate import Layout

pytestmark = pytest.mark.slow


def slo_values(**changes: object) -> dict:
    slo = {
        "enabled": True,
        "availability": {"objective": 0.995},
        "latency": {"objective": 0.99, "thresholdSeconds": "0.5"},
        "labels": {"team": "data-apps"},
    }
    slo.update(changes)
    return {"slo": slo}


@pytest.fixture(scope="module")
def rendered(layout: Layout) -> dict:
    rule = slo_rules.render_prometheus_rule(
        layout.slo_template, "exposition-api", yaml.safe_load(layout.slo_test_values.read_text())
    )
    assert rule is not None
    return rule


def test_renders_one_prometheus_rule_with_recording_and_alert_groups(rendered: dict) -> None:
    assert rendered["kind"] == "PrometheusRule" and rendered["metadata"]["name"] == "exposition-api-slo"
    names = [group["name"] for group in rendered["spec"]["groups"]]
    assert names == ["exposition-api-slo-recording", "exposition-api-slo-alerts"]
    alerts = [rule["alert"] for rule in rendered["spec"]["groups"][1]["rules"]]
    assert alerts == [
        "DataAppErrorBudgetBurn",
        "DataAppErrorBudgetBurnSlow",
        "DataAppLatencyBudgetBurn",
        "DataAppLatencyBudgetBurnSlow",
    ]
    windows = {"5m", "30m", "1h", "2h", "6h", "1d", "3d"}
    assert slo_rules.recorded_names(rendered) == {
        f"dataapp:{name}{window}"
        for window in windows
        for name in ("slo_requests:rate", "slo_errors:ratio_rate", "slo_slow_requests:ratio_rate")
    }


def test_promtool_checks_and_unit_tests_the_rendered_rules(layout: Layout, rendered: dict, tmp_path: Path) -> None:
    rule_file = slo_rules.write_rule_file(rendered, tmp_path / "slo-rules.yaml")
    assert promtool.check_rules([rule_file]) == []
    shutil.copy(layout.slo_test, tmp_path / layout.slo_test.name)
    assert promtool.test_rules([tmp_path / layout.slo_test.name]) == []


def test_every_slo_alert_is_tested_firing_and_not_firing(layout: Layout, rendered: dict) -> None:
    seen: dict[str, set[bool]] = {}
    for case in yaml.safe_load(layout.slo_test.read_text())["tests"]:
        for check in case.get("alert_rule_test", []):
            seen.setdefault(check["alertname"], set()).add(bool(check.get("exp_alerts")))
    for rule in rendered["spec"]["groups"][1]["rules"]:
        assert seen.get(rule["alert"]) == {True, False}, rule["alert"]


def test_a_looser_objective_silences_the_same_burn(layout: Layout, tmp_path: Path) -> None:
    """With a 0.5 objective, 10 % of errors burns no budget fast: the unit test must then fail."""
    rule = slo_rules.render_prometheus_rule(
        layout.slo_template, "exposition-api", slo_values(availability={"objective": 0.5})
    )
    slo_rules.write_rule_file(rule, tmp_path / "slo-rules.yaml")
    shutil.copy(layout.slo_test, tmp_path / layout.slo_test.name)
    (finding,) = promtool.test_rules([tmp_path / layout.slo_test.name])
    assert "DataAppErrorBudgetBurn" in finding.message


@pytest.mark.parametrize(("threshold", "le"), [(0.5, "0.5"), ("0.25", "0.25"), (1, "1.0"), ("10", "10.0")])
def test_the_threshold_becomes_the_bucket_label_prometheus_client_writes(
    layout: Layout, threshold: object, le: str
) -> None:
    latency = {"objective": 0.99, "thresholdSeconds": threshold}
    rule = slo_rules.render_prometheus_rule(layout.slo_template, "x", slo_values(latency=latency))
    slow = next(
        r for r in rule["spec"]["groups"][0]["rules"] if r["record"] == "dataapp:slo_slow_requests:ratio_rate5m"
    )
    assert f'le="{le}"' in slow["expr"]


def test_disabled_renders_nothing(layout: Layout) -> None:
    assert slo_rules.render_prometheus_rule(layout.slo_template, "x", {"slo": {"enabled": False}}) is None
    assert slo_rules.render_prometheus_rule(layout.slo_template, "x", {}) is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"latency": {"objective": 0.99, "thresholdSeconds": "0.3"}},
            'thresholdSeconds "0.3" of x is not a histogram bucket',
        ),
        ({"availability": {"objective": 99.5}}, "slo.availability.objective of x is 99.5: give a ratio"),
        ({"availability": {}}, "slo.availability.objective is required"),
    ],
)
def test_bad_values_fail_with_a_message_naming_the_key(layout: Layout, changes: dict, message: str) -> None:
    with pytest.raises(PlatformError, match=r"prometheusrule\.yaml for x") as error:
        slo_rules.render_prometheus_rule(layout.slo_template, "x", slo_values(**changes))
    assert message in str(error.value)
