"""The SLO rules of apps/chart/templates/prometheusrule.yaml, rendered by the real helm.

The template reads only `.Values.slo` and `.Release`, so it is rendered inside a one-template chart:
the result is what the shared apps chart deploys for that release and those values.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

from platformctl.errors import PlatformError
from platformctl.tools import find_tool

TEMPLATE = Path("apps/chart/templates/prometheusrule.yaml")


def render_prometheus_rule(template: Path, release: str, values: dict[str, Any]) -> dict[str, Any] | None:
    """The rendered PrometheusRule object (None when `slo.enabled` is false); helm errors raise."""
    with tempfile.TemporaryDirectory(prefix="slo-chart-") as folder:
        chart = Path(folder)
        (chart / "templates").mkdir()
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: slo-rules\nversion: 0.1.0\n", encoding="utf-8")
        (chart / "templates" / "prometheusrule.yaml").write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
        (chart / "values.yaml").write_text(yaml.safe_dump(values), encoding="utf-8")
        result = subprocess.run(
            [str(find_tool("helm")), "template", release, str(chart)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()[0] if result.stderr.strip() else "helm template failed"
        raise PlatformError(f"{template} for {release}: {message}", fix="correct the slo: values or the template")
    documents = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    return documents[0] if documents else None


def write_rule_file(rule: dict[str, Any], path: Path) -> Path:
    """The PrometheusRule's spec as a plain Prometheus rule file (what promtool reads)."""
    path.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}, sort_keys=False), encoding="utf-8")
    return path


def recorded_names(rule: dict[str, Any]) -> set[str]:
    return {r["record"] for group in rule["spec"]["groups"] for r in group["rules"] if "record" in r}


def rule_expressions(groups: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(rule name, expr) of every rule in rule-file groups."""
    return [(rule.get("alert") or rule.get("record"), str(rule["expr"])) for group in groups for rule in group["rules"]]
