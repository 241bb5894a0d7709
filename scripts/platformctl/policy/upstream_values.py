"""Value-level rules for upstream charts the gate cannot render offline (policies/upstream-values.yaml).

The effective values of a workload are the chart's defaults from the offline mirror (subchart defaults
nested under the subchart's key) overlaid by our values files in Argo CD's order (base, then env).
A chart that is not mirrored is judged on our values alone, which is stricter, never looser.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platformctl.environments import load_yaml
from platformctl.errors import PlatformError
from platformctl.paths import relative_path
from platformctl.policy.catalogue import UPSTREAM_VALUES_CHECKS
from platformctl.policy.results import PolicyResult, rule_result

RULES_FILE = "policies/upstream-values.yaml"
RESOURCES_CHECK, SECURITY_CHECK = (check.id for check in UPSTREAM_VALUES_CHECKS)


@dataclass(frozen=True)
class UpstreamApplication:
    """An Application whose upstream chart was not rendered (no archive in the chart cache)."""

    name: str
    chart: str
    version: str
    value_files: tuple[Path, ...]  # resolved in this checkout, base then env


def deep_merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load_rules(root: Path) -> dict[str, list[str]]:
    """chart name -> workload value keys."""
    document = load_yaml(root / RULES_FILE) or {}
    charts = document.get("charts") if isinstance(document, dict) else None
    if not isinstance(charts, dict):
        raise PlatformError(f"{root / RULES_FILE}: expected a mapping `charts`", fix="see the file's header")
    return {str(chart): [str(w) for w in (spec or {}).get("workloads") or []] for chart, spec in charts.items()}


def chart_defaults(mirror: Path | None, chart: str, version: str) -> dict[str, Any]:
    if mirror is None:
        return {}
    folder = mirror / "charts" / chart / version
    if not (folder / "values.yaml").is_file():
        return {}
    defaults = yaml.safe_load((folder / "values.yaml").read_text(encoding="utf-8")) or {}
    for sub_values in sorted((folder / "subcharts").glob("*/values.yaml")):
        name = sub_values.parent.name
        sub_defaults = yaml.safe_load(sub_values.read_text(encoding="utf-8")) or {}
        defaults[name] = deep_merge(sub_defaults, defaults.get(name) or {})
    return defaults


def effective_values(app: UpstreamApplication, mirror: Path | None) -> tuple[dict[str, Any], list[Path]]:
    """The merged values and the value files that do not exist (reported with the results, not raised)."""
    values = chart_defaults(mirror, app.chart, app.version)
    missing: list[Path] = []
    for path in app.value_files:
        if not path.is_file():
            missing.append(path)
            continue
        document = load_yaml(path) or {}
        if not isinstance(document, dict):
            raise PlatformError(f"{path}: expected a mapping of values", fix="correct the values file")
        values = deep_merge(values, document)
    return values, missing


def has_resources(workload: dict[str, Any]) -> bool:
    resources = workload.get("resources") or {}
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
    return bool(requests.get("cpu")) and bool(requests.get("memory")) and bool(limits.get("memory"))


def is_restricted(workload: dict[str, Any]) -> bool:
    container = workload.get("securityContext") or {}
    pod = workload.get("podSecurityContext") or {}
    non_root = container.get("runAsNonRoot") is True or pod.get("runAsNonRoot") is True
    return non_root and container.get("allowPrivilegeEscalation") is False


def check_application(
    env: str, app: UpstreamApplication, rules: dict[str, list[str]], mirror: Path | None, root: Path
) -> list[PolicyResult]:
    workloads = rules.get(app.chart)
    if not workloads:
        return []
    values, missing = effective_values(app, mirror)
    shown = app.value_files[-1] if app.value_files else root / RULES_FILE
    file = relative_path(shown, root)
    note = f" (missing values file(s): {', '.join(relative_path(p, root) for p in missing)})" if missing else ""
    results: list[PolicyResult] = []
    for workload in workloads:
        settings = values.get(workload) if isinstance(values.get(workload), dict) else {}
        for check in UPSTREAM_VALUES_CHECKS:
            if not check.applies_to(env):
                continue
            passed = has_resources(settings) if check.id == RESOURCES_CHECK else is_restricted(settings)
            results.append(
                rule_result(
                    check,
                    env=env,
                    framework="upstream-values",
                    object=f"Values/{app.name}/{workload}",
                    application=app.name,
                    file=file,
                    passed=passed,
                    fix=check.fix.replace("<workload>", workload).replace("<component>", app.name) + note,
                )
            )
    return results


def check_upstream_values(
    env: str, apps: Sequence[UpstreamApplication], mirror: Path | None, root: Path
) -> list[PolicyResult]:
    rules = load_rules(root)
    return [result for app in apps for result in check_application(env, app, rules, mirror, root)]
