"""The monitoring gate: every rule checked and unit-tested by promtool, every dashboard linted, every
PromQL parsed by promtool, and every app metric they read exported by the running app."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from platformctl.errors import PlatformError
from platformctl.findings import Finding
from platformctl.loadtest.slo import load_slo
from platformctl.monitoring import dashboards, exported, promtool, slo_rules, smoke
from platformctl.monitoring.promql import substitute_grafana_variables

GATE = "monitoring"
ENVIRONMENTS = ("dev", "staging", "prod")


@dataclass(frozen=True)
class Layout:
    """Where the gate's inputs live in a checkout."""

    root: Path

    @property
    def rule_files(self) -> list[Path]:
        return sorted((self.root / "platform" / "monitoring" / "rules").glob("*.rules.yaml"))

    @property
    def rule_tests(self) -> list[Path]:
        return sorted((self.root / "tests" / "monitoring" / "rules").glob("*.test.yaml"))

    @property
    def dashboards(self) -> list[Path]:
        return sorted((self.root / "platform" / "monitoring" / "dashboards").glob("*.json"))

    @property
    def slo_template(self) -> Path:
        return self.root / slo_rules.TEMPLATE

    @property
    def slo_test(self) -> Path:
        return self.root / "tests" / "monitoring" / "slo" / "slo-rules.test.yaml"

    @property
    def slo_test_values(self) -> Path:
        return self.slo_test.with_name("values.yaml")

    @property
    def apps(self) -> list[str]:
        return sorted(path.parent.name for path in (self.root / "apps").glob("*/slo.yaml"))


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def check_rules(layout: Layout, work: Path, report: Report) -> tuple[list[tuple[str, str, str]], set[str]]:
    """promtool on platform rules and on the SLO rules of every app; returns (source, name, expr) and records."""
    report.findings += promtool.check_rules(layout.rule_files)
    report.findings += promtool.test_rules(layout.rule_tests)
    expressions = [
        (str(path), name, expr)
        for path in layout.rule_files
        for name, expr in slo_rules.rule_expressions(_read_yaml(path)["groups"])
    ]
    # The SLO template's unit test, on the rules rendered with the test's values.
    folder = layout.root / "apps" / "exposition-api"
    reference = slo_rules.render(
        layout.root, "exposition-api", [folder / "values.yaml", folder / "values-dev.yaml", layout.slo_test_values]
    )
    if reference is None:
        raise PlatformError(f"{layout.slo_test_values}: slo.enabled is not true", fix="enable it: the test needs rules")
    test_dir = work / "slo-test"
    test_dir.mkdir()
    slo_rules.write_rule_file(reference, test_dir / "slo-rules.yaml")
    shutil.copy(layout.slo_test, test_dir / layout.slo_test.name)
    report.findings += promtool.test_rules([test_dir / layout.slo_test.name])
    recorded = slo_rules.recorded_names(reference)
    for app in layout.apps:
        for env in ENVIRONMENTS:
            rule = slo_rules.render_app_rule(layout.root, app, env)
            if rule is None:
                report.findings.append(
                    Finding(
                        GATE,
                        env,
                        app,
                        "PrometheusRule",
                        app,
                        f"apps/{app}/values-{env}.yaml",
                        "slo.enabled is false: no SLO alerts",
                        "enable slo",
                        severity="warning",
                    )
                )
                continue
            rule_file = slo_rules.write_rule_file(rule, work / f"{app}-{env}-slo.rules.yaml")
            report.findings += promtool.check_rules([rule_file])
            source = f"{layout.slo_template} ({app}, {env})"
            expressions += [(source, n, e) for n, e in slo_rules.rule_expressions(rule["spec"]["groups"])]
    report.counts["rule files"] = len(layout.rule_files)
    report.counts["rule unit-test files"] = len(layout.rule_tests) + 1
    return expressions, recorded


def run_gate(root: Path, scrape_apps: bool = True) -> Report:
    layout = Layout(root)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="monitoring-gate-") as folder:
        expressions, recorded = check_rules(layout, Path(folder), report)
    lint, queries = dashboards.lint_dashboards(layout.dashboards)
    report.findings += lint
    named = [(f"{q.dashboard}: {q.panel} #{i}", substitute_grafana_variables(q.expr)) for i, q in enumerate(queries)]
    report.findings += promtool.check_expressions(named)
    report.counts["dashboards"] = len(layout.dashboards)
    report.counts["dashboard queries"] = len(queries)
    if scrape_apps:
        per_app = {
            app: smoke.exported_by_running_app(root, load_slo(root / "apps" / app / "slo.yaml")) for app in layout.apps
        }
        for q in queries:
            report.findings += exported.compare(
                f"platform/monitoring/dashboards/{q.dashboard}", q.panel, q.expr, per_app, recorded
            )
        for source, name, expr in expressions:
            report.findings += exported.compare(source, name, expr, per_app, recorded)
        report.counts["apps scraped"] = len(per_app)
    return report
