"""Dashboards as code: valid JSON, unique uids, the datasource variable everywhere, PromQL that parses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platformctl.monitoring import dashboards, promtool
from platformctl.monitoring.gate import Layout
from platformctl.monitoring.promql import substitute_grafana_variables


def test_one_dashboard_per_api_and_a_platform_overview(layout: Layout) -> None:
    assert [p.name for p in layout.dashboards] == [
        "enrichment-api.json",
        "exposition-api.json",
        "platform-overview.json",
    ]


def test_dashboards_lint_clean(layout: Layout) -> None:
    findings, queries = dashboards.lint_dashboards(layout.dashboards)
    assert findings == []
    assert len(queries) >= 40


@pytest.mark.slow
def test_every_query_parses_with_promtool(layout: Layout) -> None:
    _, queries = dashboards.lint_dashboards(layout.dashboards)
    named = [(f"{q.dashboard}: {q.panel} #{i}", substitute_grafana_variables(q.expr)) for i, q in enumerate(queries)]
    assert promtool.check_expressions(named) == []


def test_api_dashboards_cover_rate_errors_duration_volume_and_warehouse(layout: Layout) -> None:
    for app, volume in (
        ("exposition-api", "dataapp_rows_served_total"),
        ("enrichment-api", "dataapp_enrichment_records_total"),
    ):
        board = json.loads((layout.root / "platform" / "monitoring" / "dashboards" / f"{app}.json").read_text())
        exprs = " ".join(t["expr"] for p in dashboards.panels(board) for t in p.get("targets", []))
        for needle in (
            "_count{",
            'status=~"5..',
            "histogram_quantile",
            volume,
            "dataapp_warehouse_query_duration_seconds",
        ):
            assert needle in exprs, f"{app}: no panel reads {needle}"
        assert f'app="{app}"' in exprs


def _broken_dashboard(tmp_path: Path, name: str, **changes: object) -> Path:
    board = {
        "uid": "same-uid", "title": "t", "schemaVersion": 39,
        "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus"}]},
        "panels": [{"id": 1, "type": "timeseries", "title": "p", "datasource": {"uid": "${datasource}"},
                    "targets": [{"refId": "A", "expr": "up"}]}],
    }  # fmt: skip
    board.update(changes)
    path = tmp_path / name
    path.write_text(json.dumps(board))
    return path


def test_lint_reports_each_defect_naming_file_and_panel(tmp_path: Path) -> None:
    hard_coded = {"id": 2, "type": "stat", "title": "hard-coded", "datasource": {"uid": "P1809F7CD0C75ACF3"},
                  "targets": [{"refId": "A", "expr": "up"}]}  # fmt: skip
    paths = [
        _broken_dashboard(tmp_path, "a.json"),
        _broken_dashboard(tmp_path, "b.json", templating={"list": []}),
        _broken_dashboard(tmp_path, "c.json", uid="c", panels=[hard_coded, {**hard_coded, "title": "again"}]),
    ]
    (tmp_path / "d.json").write_text("{not json")
    findings, _ = dashboards.lint_dashboards([*paths, tmp_path / "d.json"])
    messages = {(Path(f.file).name, f.name, f.message.split(":")[0]) for f in findings}
    assert ("b.json", "b", "uid 'same-uid' is also the uid of a.json") in messages
    assert ("b.json", "b", "no `datasource` variable of type datasource (query prometheus)") in messages
    assert any(
        Path(f.file).name == "c.json" and f.name == "hard-coded" and "not the variable" in f.message for f in findings
    )
    assert ("c.json", "again", "panel id 2 used twice") in messages
    assert any(m[0] == "d.json" and m[2] == "not valid JSON" for m in messages)


@pytest.mark.slow
def test_bad_promql_is_reported_by_panel() -> None:
    findings = promtool.check_expressions([("x.json: good #0", "sum(up)"), ("x.json: bad #1", "sum(rate(up[5m])")])
    assert [f.name for f in findings] == ["x.json: bad #1"]
    assert "unclosed left parenthesis" in findings[0].message
