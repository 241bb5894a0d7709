"""The manifest gate of one environment: render, then the schema, values, graph, charts, reference, admission,
reachability and sync gates.

Every stage is timed (bench/gate.py prints the figures); every problem is a Finding, so a broken
repository yields a report, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from platformctl import reachability, schemas, syncsim, values_check
from platformctl.admission.gate import check_admission
from platformctl.catalogue import REQUIRED_COMPONENTS
from platformctl.charts import check as charts_check
from platformctl.crds import CrdCatalogue
from platformctl.environments import get_environment
from platformctl.errors import PlatformError, ToolMissingError
from platformctl.findings import Finding, format_table
from platformctl.graph_check import PROD_ENVIRONMENTS, GraphChecker
from platformctl.paths import chart_cache, relative_path, repo_root, upstream_mirror
from platformctl.references import GATE as REFERENCES_GATE
from platformctl.references import check_references
from platformctl.references.provided import PROVIDED_FILE
from platformctl.render import ROOT, RenderedEnvironment, render_environment


@dataclass
class EnvReport:
    env: str
    rendered: RenderedEnvironment | None
    findings: list[Finding]
    objects_validated: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    sync: syncsim.SyncOutcome | None = None  # the sync simulation (stalled wave), for `platformctl graph`

    @property
    def clean(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


def run_gates(
    env: str,
    *,
    root: Path | None = None,
    mirror: Path | str | None = None,
    charts: Path | str | None = None,
    render_cache: Path | None = None,
    out_dir: Path | None = None,
    required: Sequence[str] = REQUIRED_COMPONENTS,
    today: dt.date | None = None,  # judges exception expiry (admission gate); default: today
) -> EnvReport:
    base = root or repo_root()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:
        environment = get_environment(env, base)
        mirror_path = upstream_mirror(mirror, base)
        rendered = render_environment(
            environment, out_dir, root=base, mirror=mirror_path, charts=charts, render_cache=render_cache
        )
    except ToolMissingError:
        raise  # a broken workstation, not a finding of the repository: one line from cli.main, exit 2
    except PlatformError as error:
        finding = Finding("render", env, "", "", "", "", error.message, error.fix or "")
        return EnvReport(env, None, [finding], timings={"render": time.perf_counter() - started})
    timings["render"] = time.perf_counter() - started
    findings = list(rendered.findings)

    started = time.perf_counter()
    rendered_crds = [
        (obj, str(app.manifest_file or app.name))
        for app in rendered.applications
        for obj in app.objects
        if obj.get("kind") == "CustomResourceDefinition"
    ]
    crds = CrdCatalogue(mirror_path, rendered_crds)
    root_file = relative_path(rendered.root_manifest_file, base)
    targets = [schemas.Target(obj, "_bootstrap", rendered.bootstrap_file) for obj in rendered.bootstrap_objects]
    targets += [schemas.Target(obj, "_root", root_file) for obj in rendered.root_objects]
    for app in rendered.applications:
        targets += [schemas.Target(obj, app.name, relative_path(app.manifest_file, base)) for obj in app.objects]
    try:
        schema_findings, count = schemas.validate_objects(rendered.env, rendered.kubernetes_version, targets, crds)
    except PlatformError as error:
        schema_findings, count = [Finding("schema", env, "", "", "", "", error.message, error.fix or "")], 0
    findings += schema_findings
    timings["schema"] = time.perf_counter() - started

    started = time.perf_counter()
    archive_dir = chart_cache(charts, base)
    for app in rendered.applications:
        findings += values_check.check_application(
            env, app, mirror_path, archive_dir, immutable_images=env in PROD_ENVIRONMENTS
        )
        findings += values_check.check_in_repo_application(env, app, base)
    timings["values"] = time.perf_counter() - started

    started = time.perf_counter()
    findings += GraphChecker(rendered, base, crds, required).run()
    timings["graph"] = time.perf_counter() - started

    started = time.perf_counter()
    findings += charts_check.check_environment(rendered, base, archive_dir)
    timings["charts"] = time.perf_counter() - started

    started = time.perf_counter()
    try:
        findings += check_references(rendered, base, crds.is_cluster_scoped)
    except PlatformError as error:
        findings.append(Finding(REFERENCES_GATE, env, "", "", "", PROVIDED_FILE, error.message, error.fix or ""))
    timings["references"] = time.perf_counter() - started

    started = time.perf_counter()
    findings += check_admission(rendered, environment, today)
    timings["admission"] = time.perf_counter() - started

    started = time.perf_counter()
    findings += reachability.check_environment(rendered, environment.cluster, base)
    timings["reachability"] = time.perf_counter() - started

    # Last: the sync simulation builds on every other gate's root causes.
    started = time.perf_counter()
    outcome = syncsim.check_environment(rendered, crds, findings, root=base)
    findings += outcome.findings
    timings["sync"] = time.perf_counter() - started
    return EnvReport(env, rendered, _root_cause_first(rendered, sorted(set(findings))), count, timings, outcome)


# Findings that do not depend on the app-of-apps chart rendering: the bootstrap file and the chart lock.
INDEPENDENT_OF_ROOT = frozenset({"_bootstrap"})
INDEPENDENT_GATES = frozenset({charts_check.GATE})


def _root_cause_first(rendered: RenderedEnvironment, findings: list[Finding]) -> list[Finding]:
    """When the app-of-apps chart does not render, no Application exists: report that failure first
    and once, then only what does not depend on it (not "required component X is missing" nine times)."""
    if not rendered.root_failed:
        return findings
    root = [f for f in findings if f.gate == "render" and f.application == ROOT]
    independent = [
        f for f in findings if f not in root and (f.application in INDEPENDENT_OF_ROOT or f.gate in INDEPENDENT_GATES)
    ]
    return root + independent


def summary_table(report: EnvReport) -> str:
    """One row per Application: wave, project, objects (or why none), findings."""
    if report.rendered is None:
        return f"env {report.env}: not rendered"
    per_app = Counter(f.application for f in report.findings if f.severity == "error")
    warnings = Counter(f.application for f in report.findings if f.severity != "error")
    rows = [["_root (app-of-apps)", "", "", len(report.rendered.root_objects), _count(per_app, warnings, "_root")]]
    for app in sorted(report.rendered.applications, key=lambda a: (a.wave, a.name)):
        if app.rendered:
            objects = str(len(app.objects))
        else:
            objects = "- (values checked, chart not cached)" if app.source == "upstream" else "- (not rendered)"
        rows.append([app.name, app.wave, app.project, objects, _count(per_app, warnings, app.name)])
    title = f"env {report.env} (Kubernetes {report.rendered.kubernetes_version}): {report.objects_validated} objects"
    return title + "\n" + format_table(["application", "wave", "project", "objects", "findings"], rows)


def _count(errors: Counter[str], warnings: Counter[str], name: str) -> str:
    text = str(errors.get(name, 0))
    return f"{text} (+{warnings[name]} warning)" if warnings.get(name) else text
