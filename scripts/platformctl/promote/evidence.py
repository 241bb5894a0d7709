"""Evidence that the environment a change is promoted from runs it: the proof a promotion waits for.

The change is the last commit that touched the source env's pins of the component. The source env is
proven when every Application is Synced and Healthy at a revision that contains that commit and no hook
failed, and when the component's verification hook (data apps on the shared chart) passed in a sync of
such a revision. The evidence, whatever it says, becomes the pull request's body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformctl.argocd.api import ArgoCdApi
from platformctl.argocd.live import live_status
from platformctl.argocd.revisions import contains, last_change
from platformctl.argocd.status import EnvironmentStatus
from platformctl.environments import Environment
from platformctl.errors import PlatformError
from platformctl.loadtest.verify import parse_verdict
from platformctl.promote.images import image_refs
from platformctl.promote.pins import chart_version_pin, component_settings, image_tag_pin, is_component
from platformctl.promote.plan import Change

VERIFIED_CHART = "apps/chart"  # Applications on the shared data-app chart run the verification hook
HOOK_CONTAINER = "verify"


@dataclass
class Evidence:
    component: str
    source: str
    change: str  # the commit whose pins are promoted
    status: EnvironmentStatus | None = None
    verdict: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def proven(self) -> bool:
        return self.status is not None and not self.problems


def source_pin_files(component: str, source: Environment) -> list[Path]:
    """The files holding the source env's pins of `component` (chart version, image tags)."""
    if not is_component(source, component):
        return sorted({ref.file for ref in image_refs(source.root, source.name, component)})
    files = []
    chart = chart_version_pin(source, component)
    if chart is not None:
        files.append(chart.file)
    if image_tag_pin(source, component) is not None:
        folder = source.root / str(component_settings(source, component)["values"])
        files += [path for path in (folder / "values.yaml", folder / f"values-{source.name}.yaml") if path.is_file()]
    return files


def _runs_verification_hook(status: EnvironmentStatus, component: str, source: Environment) -> bool:
    settings = component_settings(source, component) if is_component(source, component) else {}
    return settings.get("path") == VERIFIED_CHART and status.application(component) is not None


def gather(component: str, source: Environment, api: ArgoCdApi) -> Evidence:
    change = last_change(source.root, source_pin_files(component, source))
    evidence = Evidence(component, source.name, change)
    status = live_status(source, api, change, lambda live: contains(source.root, change, live))
    evidence.status = status
    for app in status.applications:
        if not app.ready:
            evidence.problems.append(f"{app.name} (wave {app.wave}): {'; '.join(app.problems)}")
    if _runs_verification_hook(status, component, source):
        app = status.application(component)
        hook = app.hook if app else None
        if hook is None or hook.phase != "Succeeded":
            shown = hook.short() if hook else "none ran"
            evidence.problems.append(f"{component}: verification hook has not passed ({shown})")
        elif not hook.revision or not contains(source.root, change, hook.revision):
            evidence.problems.append(
                f"{component}: verification hook passed at {hook.revision[:12] or '?'}, before {change[:12]}"
            )
        namespace = str(component_settings(source, component).get("namespace", ""))
        try:
            lines = api.resource_logs(component, namespace, "Job", f"{component}-verify", HOOK_CONTAINER)
            evidence.verdict = parse_verdict(lines)
        except PlatformError as error:
            evidence.notes.append(f"hook logs unavailable: {error.message}")
    return evidence


def pull_request_body(evidence: Evidence, changes: list[Change], target: str, root: Path, forced: str | None) -> str:
    lines = [f"## Promote `{evidence.component}` from {evidence.source} to {target}", ""]
    lines += ["| what | file | from | to |", "|---|---|---|---|"]
    lines += [f"| {c.what} | `{c.file.relative_to(root)}` | `{c.old or '(unset)'}` | `{c.new}` |" for c in changes]
    lines += ["", f"Change: `{evidence.change}` (last commit of the {evidence.source} pins)", ""]
    if forced:
        lines += [f"> **Forced** without complete evidence: {forced}", ""]
    verdict = "proven" if evidence.proven else "NOT proven"
    lines += [f"### Evidence: {evidence.source} is {verdict}", ""]
    lines += [f"- {problem}" for problem in evidence.problems]
    lines += [f"- note: {note}" for note in evidence.notes]
    if evidence.status is not None:
        lines += ["", "```", evidence.status.table(), evidence.status.summary(), "```"]
    if evidence.verdict is not None:
        lines += ["", f"### Verification hook of {evidence.component}", ""]
        lines += [f"- smoke: {', '.join(evidence.verdict.get('smoke') or []) or 'none'}"]
        load = evidence.verdict.get("load")
        if isinstance(load, dict):
            lines += ["", "| objective | target | locust | prometheus | result |", "|---|---|---|---|---|"]
            lines += [
                f"| {r.get('objective')} | {r.get('target')} | {r.get('locust')} | {r.get('prometheus')} "
                f"| {r.get('result')} |"
                for r in load.get("rows") or []
            ]
        else:
            lines += ["- load: not run in this environment (smoke only)"]
    return "\n".join(lines) + "\n"
