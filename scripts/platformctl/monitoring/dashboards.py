"""Grafana dashboards as code: load them and lint what Grafana would not tell us until run time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformctl.findings import Finding

GATE = "monitoring"
DATASOURCE_REFERENCES = frozenset({"${datasource}", "$datasource"})


@dataclass(frozen=True)
class Query:
    dashboard: str  # file name
    panel: str  # panel title
    expr: str


def load_dashboard(path: Path) -> tuple[dict[str, Any] | None, list[Finding]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        return None, [_finding(path, "", f"not valid JSON: {error.msg} at line {error.lineno}", "fix the JSON syntax")]
    if not isinstance(data, dict):
        return None, [_finding(path, "", "not a dashboard object", "export the dashboard JSON model from Grafana")]
    return data, []


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, including those nested in collapsed rows."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def queries(path: Path, dashboard: dict[str, Any]) -> list[Query]:
    return [
        Query(path.name, panel.get("title", f"panel {panel.get('id')}"), target["expr"])
        for panel in panels(dashboard)
        for target in panel.get("targets", [])
        if target.get("expr")
    ]


def _finding(path: Path, panel: str, message: str, fix: str) -> Finding:
    return Finding(
        GATE, "", "monitoring", "Dashboard" if not panel else "Panel", panel or path.stem, str(path), message, fix
    )


def _uses_datasource_variable(reference: Any) -> bool:
    uid = reference.get("uid") if isinstance(reference, dict) else reference
    return uid in DATASOURCE_REFERENCES


def lint_dashboard(path: Path, dashboard: dict[str, Any]) -> list[Finding]:
    """Title, uid, the `datasource` variable, and that every panel and query uses that variable."""
    found: list[Finding] = []
    for key in ("uid", "title", "schemaVersion", "panels"):
        if not dashboard.get(key):
            found.append(_finding(path, "", f"no `{key}`", f"set `{key}` in the dashboard JSON"))
    variables = dashboard.get("templating", {}).get("list", [])
    if not any(
        v.get("name") == "datasource" and v.get("type") == "datasource" and v.get("query") == "prometheus"
        for v in variables
    ):
        found.append(
            _finding(
                path,
                "",
                "no `datasource` variable of type datasource (query prometheus)",
                "add templating.list entry {name: datasource, type: datasource, query: prometheus}",
            )
        )
    ids: set[int] = set()
    for panel in panels(dashboard):
        title = panel.get("title") or f"panel {panel.get('id')}"
        if panel.get("id") in ids:
            found.append(_finding(path, title, f"panel id {panel.get('id')} used twice", "give every panel its own id"))
        ids.add(panel.get("id"))
        if panel.get("type") == "row":
            continue
        if not _uses_datasource_variable(panel.get("datasource")):
            found.append(
                _finding(
                    path,
                    title,
                    f"panel datasource is {panel.get('datasource')!r}, not the variable",
                    'set "datasource": {"type": "prometheus", "uid": "${datasource}"}',
                )
            )
        targets = panel.get("targets", [])
        if not targets:
            found.append(_finding(path, title, "panel has no query", "add a target with an `expr`"))
        for target in targets:
            if not target.get("expr"):
                found.append(_finding(path, title, f"target {target.get('refId')} has no `expr`", "add the PromQL"))
            if "datasource" in target and not _uses_datasource_variable(target["datasource"]):
                found.append(
                    _finding(
                        path,
                        title,
                        f"target {target.get('refId')} datasource is not the variable",
                        'set its "datasource" to {"type": "prometheus", "uid": "${datasource}"}',
                    )
                )
    return found


def lint_dashboards(paths: list[Path]) -> tuple[list[Finding], list[Query]]:
    """Lint every dashboard and check uids are unique across them; also returns all their queries."""
    found: list[Finding] = []
    all_queries: list[Query] = []
    uids: dict[str, Path] = {}
    for path in paths:
        dashboard, errors = load_dashboard(path)
        found.extend(errors)
        if dashboard is None:
            continue
        found.extend(lint_dashboard(path, dashboard))
        uid = dashboard.get("uid")
        if uid in uids:
            found.append(_finding(path, "", f"uid {uid!r} is also the uid of {uids[uid].name}", "give it its own uid"))
        elif uid:
            uids[uid] = path
        all_queries.extend(queries(path, dashboard))
    return found, all_queries
