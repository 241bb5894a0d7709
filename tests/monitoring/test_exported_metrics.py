"""Every app metric a rule or dashboard reads is exported by the running app (real gunicorn /metrics)."""

from __future__ import annotations

import pytest

from platformctl.loadtest.slo import load_slo
from platformctl.monitoring import dashboards, exported, slo_rules, smoke
from platformctl.monitoring.exported import Exported
from platformctl.monitoring.gate import ENVIRONMENTS, Layout

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def per_app(layout: Layout) -> dict[str, Exported]:
    return {
        app: smoke.exported_by_running_app(layout.root, load_slo(layout.root / "apps" / app / "slo.yaml"))
        for app in layout.apps
    }


@pytest.fixture(scope="module")
def recorded(layout: Layout) -> set[str]:
    return slo_rules.recorded_names(slo_rules.render_app_rule(layout.root, "exposition-api", "dev"))


def test_the_contract_metrics_are_exported(per_app: dict[str, Exported]) -> None:
    assert set(per_app) == {"exposition-api", "enrichment-api"}
    assert "dataapp_rows_served_total" in per_app["exposition-api"].labels
    assert "dataapp_enrichment_records_total" in per_app["enrichment-api"].labels
    for scraped in per_app.values():
        assert {"app", "route", "method", "status", "le"} <= set(
            scraped.labels["dataapp_http_request_duration_seconds_bucket"]
        )


def test_every_dashboard_query_reads_exported_metrics(layout: Layout, per_app, recorded) -> None:
    _, queries = dashboards.lint_dashboards(layout.dashboards)
    findings = [f for q in queries for f in exported.compare(q.dashboard, q.panel, q.expr, per_app, recorded)]
    assert findings == []


def test_every_slo_rule_reads_exported_metrics(layout: Layout, per_app, recorded) -> None:
    for app in per_app:
        for env in ENVIRONMENTS:
            rule = slo_rules.render_app_rule(layout.root, app, env)
            for name, expr in slo_rules.rule_expressions(rule["spec"]["groups"]):
                assert exported.compare("slo", name, expr, per_app, recorded) == [], f"{app} {env} {name}"


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ('rate(dataapp_rows_served_totl{app="exposition-api"}[5m])', "dataapp_rows_served_totl is not exported"),
        ('rate(dataapp_rows_served_total{app="enrichment-api"}[5m])', "is not exported by enrichment-api"),
        ('rate(dataapp_rows_served_total{app="exposition-api", fmt="csv"}[5m])', "has no label 'fmt'"),
        ('rate(dataapp_rows_served_total{app="exposition-api", format="xlsx"}[5m])', "never has format='xlsx'"),
        ('dataapp_http_request_duration_seconds_bucket{app="exposition-api", le="0.3"}', "never has le='0.3'"),
        ('sum by (tenant) (rate(dataapp_rows_served_total{app="exposition-api"}[5m]))', "grouping label 'tenant'"),
        ('dataapp:slo_errors:ratio_rate4h{app="exposition-api"}', "recording rule dataapp:slo_errors:ratio_rate4h"),
    ],
)
def test_what_is_not_exported_is_reported(per_app, recorded, expr: str, message: str) -> None:
    (finding,) = exported.compare("x.json", "panel", expr, per_app, recorded)
    assert message in finding.message
