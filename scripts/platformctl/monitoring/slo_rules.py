"""The SLO rules of apps/chart/templates/prometheusrule.yaml, rendered by the real helm from the real
shared chart (`--show-only`), exactly as Argo CD renders them for an app and environment."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from platformctl.errors import PlatformError
from platformctl.tools import find_tool

TEMPLATE = Path("apps/chart/templates/prometheusrule.yaml")


def render(
    root: Path, release: str, value_files: Sequence[Path], overrides: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The PrometheusRule apps/chart renders with these values (None when `slo.enabled` is false)."""
    with tempfile.TemporaryDirectory(prefix="slo-values-") as folder:
        files = [path for path in value_files if path.is_file()]
        if overrides:
            extra = Path(folder) / "overrides.yaml"
            extra.write_text(yaml.safe_dump(overrides), encoding="utf-8")
            files.append(extra)
        argv = [str(find_tool("helm")), "template", release, str(root / "apps" / "chart")]
        for path in files:
            argv += ["-f", str(path)]
        argv += ["--show-only", str(TEMPLATE.relative_to("apps/chart"))]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        if "could not find template" in result.stderr:
            return None
        message = result.stderr.strip().splitlines()[0] if result.stderr.strip() else "helm template failed"
        names = ", ".join(str(path) for path in value_files)
        raise PlatformError(f"{TEMPLATE} for {release} ({names}): {message}", fix="correct the slo: values")
    documents = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    return documents[0] if documents else None


def render_app_rule(root: Path, app: str, env: str) -> dict[str, Any] | None:
    """The PrometheusRule the shared chart deploys for `app` in `env` (None: SLO disabled)."""
    folder = root / "apps" / app
    return render(root, app, [folder / "values.yaml", folder / f"values-{env}.yaml"])


def write_rule_file(rule: dict[str, Any], path: Path) -> Path:
    """The PrometheusRule's spec as a plain Prometheus rule file (what promtool reads)."""
    path.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}, sort_keys=False), encoding="utf-8")
    return path


def recorded_names(rule: dict[str, Any]) -> set[str]:
    return {r["record"] for group in rule["spec"]["groups"] for r in group["rules"] if "record" in r}


def rule_expressions(groups: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(rule name, expr) of every rule in rule-file groups."""
    return [(rule.get("alert") or rule.get("record"), str(rule["expr"])) for group in groups for rule in group["rules"]]
