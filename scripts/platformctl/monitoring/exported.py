"""What our apps really export: scrape a running app's /metrics and compare with what rules and
dashboards read. A `dataapp_*` metric, label or label value they use but the app does not export is a
finding (a dashboard panel that would stay empty, an alert that could never fire)."""

from __future__ import annotations

import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

from platformctl.findings import Finding
from platformctl.monitoring.promql import grouping_labels, selectors

GATE = "monitoring"
OUR_PREFIX = "dataapp_"
OUR_RECORDING_PREFIX = "dataapp:"


@dataclass
class Exported:
    """Sample names of one scrape with the label values seen for each label."""

    labels: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))

    def add_text(self, text: str) -> None:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                per_label = self.labels[sample.name]
                for name, value in sample.labels.items():
                    per_label[name].add(value)
                if not sample.labels:
                    per_label.setdefault("__none__", set())

    def merged(self, other: Exported) -> Exported:
        result = Exported()
        for source in (self, other):
            for metric, per_label in source.labels.items():
                for label, values in per_label.items():
                    result.labels[metric][label] |= values
        return result


def scrape(url: str) -> Exported:
    with urllib.request.urlopen(f"{url.rstrip('/')}/metrics", timeout=10) as response:
        text = response.read().decode("utf-8")
    exported = Exported()
    exported.add_text(text)
    return exported


def compare(source: str, name: str, expr: str, per_app: dict[str, Exported], recorded: set[str]) -> list[Finding]:
    """Findings for one expression: unknown dataapp metrics, labels, label values or recording rules."""
    found: list[Finding] = []
    everything = Exported()
    for exported in per_app.values():
        everything = everything.merged(exported)

    def finding(message: str, fix: str) -> Finding:
        return Finding(GATE, "", "monitoring", "Query", name, source, f"{message} (expr: {expr})", fix)

    ours = [s for s in selectors(expr) if s.metric.startswith(OUR_PREFIX)]
    for selector in selectors(expr):
        if selector.metric.startswith(OUR_RECORDING_PREFIX) and selector.metric not in recorded:
            found.append(
                finding(
                    f"recording rule {selector.metric} is defined nowhere",
                    "use a rule apps/chart/templates/prometheusrule.yaml records",
                )
            )
    labels_used: set[str] = set()
    for selector in ours:
        app = next((value for label, op, value in selector.matchers if label == "app" and op == "="), None)
        exported = per_app.get(app) if app else everything
        if exported is None:
            found.append(
                finding(f"app {app!r} is none of the apps scraped ({', '.join(per_app)})", "fix the app label")
            )
            continue
        if selector.metric not in exported.labels:
            found.append(
                finding(
                    f"{selector.metric} is not exported by {app or 'any app'}",
                    "use a metric of docs/contracts.md 'Data apps' (the running app's /metrics)",
                )
            )
            continue
        series_labels = exported.labels[selector.metric]
        labels_used |= set(series_labels)
        for label, operator, value in selector.matchers:
            if label not in series_labels:
                found.append(
                    finding(
                        f"{selector.metric} has no label {label!r}", f"labels are {', '.join(sorted(series_labels))}"
                    )
                )
            elif operator == "=" and value not in series_labels[label]:
                found.append(
                    finding(
                        f"{selector.metric} never has {label}={value!r} (seen: "
                        f"{', '.join(sorted(series_labels[label]))})",
                        "use an exported value",
                    )
                )
    if ours:
        for label in grouping_labels(expr) - labels_used - {"le"}:
            found.append(
                finding(
                    f"grouping label {label!r} is on none of the app metrics it reads", "group by an exported label"
                )
            )
    return found
