"""platform/monitoring renders (real helm) the promtool-tested rule files and sidecar-labelled dashboards."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from platformctl.monitoring.gate import Layout
from platformctl.tools import find_tool

pytestmark = pytest.mark.slow


def helm_template(chart: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(find_tool("helm")), "template", "monitoring", str(chart), *args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_renders_rules_and_dashboards_per_env(layout: Layout, env: str) -> None:
    chart = layout.root / "platform" / "monitoring"
    result = helm_template(chart, "-f", str(chart / "values.yaml"), "-f", str(chart / f"values-{env}.yaml"))
    assert result.returncode == 0, result.stderr
    objects = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    rules = {o["metadata"]["name"]: o for o in objects if o["kind"] == "PrometheusRule"}
    maps = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ConfigMap"}
    for rule_file in layout.rule_files:
        stem = rule_file.name.removesuffix(".rules.yaml")
        rendered = rules[f"platform-{stem}"]
        assert rendered["metadata"]["labels"]["platform.example/environment"] == env
        source = yaml.safe_load(rule_file.read_text())["groups"]
        for group in source:  # the deployed rules are the tested ones, plus the routing label
            for rule in group["rules"]:
                if "alert" in rule:
                    rule["labels"] = {"team": "platform", **rule.get("labels", {})}
        assert rendered["spec"]["groups"] == source
    for dashboard in layout.dashboards:
        config_map = maps[f"dashboard-{dashboard.stem}"]
        assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
        assert json.loads(config_map["data"][dashboard.name]) == json.loads(dashboard.read_text())


def test_values_schema_rejects_a_typo(layout: Layout) -> None:
    chart = layout.root / "platform" / "monitoring"
    result = helm_template(chart, "-f", str(chart / "values-dev.yaml"), "--set", "dashboards.sidecarLabl=x")
    assert result.returncode != 0
    assert "sidecarLabl" in result.stderr


def test_sidecar_label_matches_the_grafana_values_when_present(layout: Layout) -> None:
    grafana_values = layout.root / "platform" / "grafana" / "values.yaml"
    if not grafana_values.is_file():
        pytest.skip("platform/grafana/values.yaml is not on this branch yet (feat/argocd)")
    sidecar = yaml.safe_load(grafana_values.read_text())["sidecar"]["dashboards"]
    ours = yaml.safe_load((layout.root / "platform" / "monitoring" / "values.yaml").read_text())["dashboards"]
    assert sidecar["label"] == ours["sidecarLabel"]
    assert sidecar.get("labelValue") in (None, "", ours["sidecarLabelValue"])
