"""apps/chart/templates/prometheusrule.yaml: rendered by helm from the shared chart, checked and
unit-tested by promtool, and rendered for every app and environment."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from platformctl.errors import PlatformError
from platformctl.monitoring import promtool, slo_rules
from platformctl.monitoring.gate import ENVIRONMENTS, Layout

pytestmark = pytest.mark.slow
ALERTS = [
    "DataAppErrorBudgetBurn",
    "DataAppErrorBudgetBurnSlow",
    "DataAppLatencyBudgetBurn",
    "DataAppLatencyBudgetBurnSlow",
]


def render(layout: Layout, **slo: object) -> dict | None:
    """exposition-api's dev values, then the unit test's values, then `slo` overrides."""
    folder = layout.root / "apps" / "exposition-api"
    files = [folder / "values.yaml", folder / "values-dev.yaml", layout.slo_test_values]
    return slo_rules.render(layout.root, "exposition-api", files, {"slo": slo} if slo else None)


@pytest.fixture(scope="module")
def rendered(layout: Layout) -> dict:
    rule = render(layout)
    assert rule is not None
    return rule


def test_renders_one_prometheus_rule_with_recording_and_alert_groups(rendered: dict) -> None:
    assert rendered["kind"] == "PrometheusRule" and rendered["metadata"]["name"] == "exposition-api-slo"
    assert rendered["metadata"]["labels"]["platform.example/owner"] == "data-engineering"
    assert all(rule["labels"]["team"] == "data-apps" for rule in rendered["spec"]["groups"][1]["rules"])
    names = [group["name"] for group in rendered["spec"]["groups"]]
    assert names == ["exposition-api-slo-recording", "exposition-api-slo-alerts"]
    assert [rule["alert"] for rule in rendered["spec"]["groups"][1]["rules"]] == ALERTS
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


def test_every_slo_alert_is_tested_firing_and_not_firing(layout: Layout) -> None:
    seen: dict[str, set[bool]] = {}
    for case in yaml.safe_load(layout.slo_test.read_text())["tests"]:
        for check in case.get("alert_rule_test", []):
            seen.setdefault(check["alertname"], set()).add(bool(check.get("exp_alerts")))
    for alert in ALERTS:
        assert seen.get(alert) == {True, False}, alert


def test_a_looser_objective_silences_the_same_burn(layout: Layout, tmp_path: Path) -> None:
    """With a 0.5 objective, 10 % of errors burns no budget fast: the unit test must then fail."""
    slo_rules.write_rule_file(render(layout, availability={"objective": 0.5}), tmp_path / "slo-rules.yaml")
    shutil.copy(layout.slo_test, tmp_path / layout.slo_test.name)
    (finding,) = promtool.test_rules([tmp_path / layout.slo_test.name])
    assert "DataAppErrorBudgetBurn" in finding.message


@pytest.mark.parametrize(("threshold", "le"), [(0.5, "0.5"), (0.25, "0.25"), (1, "1.0"), (10, "10.0")])
def test_the_threshold_becomes_the_bucket_label_prometheus_client_writes(
    layout: Layout, threshold: float, le: str
) -> None:
    rule = render(layout, latency={"objective": 0.99, "thresholdSeconds": threshold})
    slow = next(
        r for r in rule["spec"]["groups"][0]["rules"] if r["record"] == "dataapp:slo_slow_requests:ratio_rate5m"
    )
    assert f'le="{le}"' in slow["expr"]


def test_disabled_renders_nothing(layout: Layout) -> None:
    assert render(layout, enabled=False) is None


@pytest.mark.parametrize(
    ("slo", "message"),
    [
        ({"latency": {"objective": 0.99, "thresholdSeconds": 0.3}}, "thresholdSeconds 0.3 of exposition-api is not a"),
        ({"availability": {"objective": 99.5}}, "values don't meet the specifications of the schema"),  # chart schema
    ],
)
def test_bad_values_fail_with_a_message_naming_the_key(layout: Layout, slo: dict, message: str) -> None:
    with pytest.raises(PlatformError, match=r"prometheusrule\.yaml for exposition-api") as error:
        render(layout, **slo)
    assert message in str(error.value)


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("app", ["exposition-api", "enrichment-api"])
def test_each_app_and_env_renders_rules_promtool_accepts(layout: Layout, app: str, env: str, tmp_path: Path) -> None:
    rule = slo_rules.render_app_rule(layout.root, app, env)
    assert rule is not None, f"apps/{app}: slo disabled in {env}"
    assert rule["spec"]["groups"][1]["rules"][0]["expr"].count(f'app="{app}"') == 4
    assert promtool.check_rules([slo_rules.write_rule_file(rule, tmp_path / "rules.yaml")]) == []
