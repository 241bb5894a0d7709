"""One revision rendered: per environment, the objects of every Application (through the manifest gate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from platformctl.diff.compare import ROOT, ApplicationDiff, Side, compare_application
from platformctl.environments import list_environments
from platformctl.render import RenderedApplication, render_environment


@dataclass
class Snapshot:
    """`apps[env][application]`; an env missing from the revision has no entry."""

    apps: dict[str, dict[str, Side]] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)  # render findings, one line each


def take(root: Path, envs: list[str] | None, out_dir: Path, *, mirror: Path, charts: Path, cache: Path) -> Snapshot:
    """Render the checkout at `root` (every env it has, or only `envs`) with the renderer of this process."""
    snapshot = Snapshot()
    for environment in list_environments(root):
        if envs and environment.name not in envs:
            continue
        rendered = render_environment(
            environment, out_dir / environment.name, root=root, mirror=mirror, charts=charts, render_cache=cache
        )
        apps = {ROOT: Side(rendered.root_objects)}
        failed = {finding.application for finding in rendered.findings if finding.gate == "render"}
        for app in rendered.applications:
            broken = app.name in failed and not app.rendered
            apps[app.name] = Side(app.objects, app.rendered, _why_not(app, broken), failed=broken)
        snapshot.apps[environment.name] = apps
        snapshot.problems[environment.name] = [finding.one_line() for finding in rendered.findings]
    return snapshot


_LISTED_NOTES = ("new Application", "Application removed", "not rendered in head: helm template failed")


def _why_not(app: RenderedApplication, failed: bool) -> str:
    if app.rendered:
        return ""
    if failed:
        return "helm template failed (see the render findings of `platformctl validate`)"
    if app.source == "upstream":
        return f"chart {app.chart}-{app.version} is not in the chart cache; its Application is compared in _root"
    return f"in-repo chart {app.chart} has no Chart.yaml or a values file is missing"


def compare(base: Snapshot, head: Snapshot) -> list[ApplicationDiff]:
    """Every Application whose objects differ between the two snapshots, env by env (dev, staging, prod)."""
    order = {"dev": 0, "staging": 1, "prod": 2}
    results = []
    for env in sorted(base.apps.keys() | head.apps.keys(), key=lambda e: (order.get(e, 9), e)):
        old, new = base.apps.get(env, {}), head.apps.get(env, {})
        for application in sorted(old.keys() | new.keys(), key=lambda a: (a != ROOT, a)):
            missing = Side(None)
            diff = compare_application(env, application, old.get(application, missing), new.get(application, missing))
            if diff.changes or any(note.startswith(_LISTED_NOTES) for note in diff.notes):
                results.append(diff)
    return results
