"""The app-of-apps tree of one environment as text or as a graphviz picture.

Root Application -> AppProjects -> child Applications (sorted by sync wave); in the picture, dashed
edges are `dependsOn` relations (the provider must be in a lower wave). When the sync gate finds a
wave that would stall (`platformctl.syncsim.Stall`), the text ends with one line saying which and
why, and the picture highlights that wave's row and its blocked Applications.
"""

from __future__ import annotations

from pathlib import Path

import graphviz

from platformctl.errors import PlatformError
from platformctl.render import RenderedApplication, RenderedEnvironment
from platformctl.syncsim.health import Stall
from platformctl.tools import find_tool


def _by_project(rendered: RenderedEnvironment) -> dict[str, list[RenderedApplication]]:
    projects: dict[str, list[RenderedApplication]] = {name: [] for name in sorted(rendered.projects)}
    for app in sorted(rendered.applications, key=lambda a: (a.wave, a.name)):
        projects.setdefault(app.project, []).append(app)
    return projects


def _root_name(rendered: RenderedEnvironment) -> str:
    root = rendered.root_application
    return str((root or {}).get("metadata", {}).get("name") or f"platform-{rendered.env}")


def _describe(app: RenderedApplication) -> str:
    if app.source == "upstream":
        return f"{app.chart} {app.version} (upstream)"
    return f"{app.chart} (in-repo)"


def stall_line(rendered: RenderedEnvironment, stall: Stall | None) -> str:
    """One line: the first wave that would stall and why, or that none does (and what was not simulated)."""
    if stall is None:
        unrendered = [app.name for app in rendered.applications if not app.rendered]
        blind = f" (not simulated, chart not rendered: {', '.join(unrendered)})" if unrendered else ""
        return f"sync: no wave stalls{blind}"
    held = f"; {len(stall.held_back)} Application(s) of later waves never sync" if stall.held_back else ""
    return f"sync STALLS at wave {stall.wave}: {stall.reason()}{held}"


def tree_text(rendered: RenderedEnvironment, stall: Stall | None = None) -> str:
    lines = [f"root Application {_root_name(rendered)}  (.argocd/apps + clusters/{rendered.env}/platform.yaml)"]
    projects = list(_by_project(rendered).items())
    for index, (project, apps) in enumerate(projects):
        last_project = index == len(projects) - 1
        lines.append(f"{'└──' if last_project else '├──'} AppProject {project}")
        indent = "    " if last_project else "│   "
        for position, app in enumerate(apps):
            branch = "└──" if position == len(apps) - 1 else "├──"
            depends = (rendered.values.get("components") or {}).get(app.name, {}).get("dependsOn") or []
            after = f"  after: {', '.join(depends)}" if depends else ""
            after += "  [STALLS]" if stall and app.name in stall.applications else ""
            lines.append(
                f"{indent}{branch} wave {app.wave:>3}  {app.name}  -> ns {app.namespace}: {_describe(app)}{after}"
            )
    lines.append(stall_line(rendered, stall))
    return "\n".join(lines)


PROJECT_COLOURS = ("#e3f5e1", "#f0e6ff", "#ffe9b3", "#e0f0ff")
STALL_FILL, STALL_BORDER = "#ffe0e0", "#c00000"


def to_dot(rendered: RenderedEnvironment, stall: Stall | None = None) -> graphviz.Digraph:
    """Top to bottom: the root, its AppProjects, then one row per sync wave. An Application has
    its project's colour; dashed edges are `dependsOn` (always towards a later wave). The row of a
    stalled wave is filled red with the reason in its label; its blocked Applications have a red border."""
    graph = graphviz.Digraph(
        f"app-of-apps-{rendered.env}",
        graph_attr={"rankdir": "TB", "fontname": "Helvetica", "nodesep": "0.2", "ranksep": "0.35"},
    )
    graph.attr("node", shape="box", style="rounded,filled", fontname="Helvetica", fontsize="10")
    graph.attr("edge", arrowsize="0.6")
    root = f"root-{rendered.env}"
    graph.node(root, f"{_root_name(rendered)}\\n(root Application)", fillcolor="#d0e4ff")
    projects = _by_project(rendered)
    colours = {name: PROJECT_COLOURS[i % len(PROJECT_COLOURS)] for i, name in enumerate(projects)}
    for project in projects:
        graph.node(f"project-{project}", f"AppProject\\n{project}", fillcolor=colours[project], shape="folder")
        graph.edge(root, f"project-{project}")
    # One row per wave: an invisible anchor per wave, chained top to bottom, ranks its Applications.
    previous_anchors = [f"project-{project}" for project in projects]
    for wave in sorted({app.wave for app in rendered.applications}):
        anchor = f"wave-anchor-{wave}"
        graph.node(anchor, "", style="invis", width="0", height="0", fixedsize="true")
        for previous in previous_anchors:
            graph.edge(previous, anchor, style="invis")
        with graph.subgraph(name=f"cluster_wave_{wave}") as column:
            if stall is not None and stall.wave == wave:
                column.attr(
                    label=f"wave {wave}: STALLS\\n{stall.short_reason()}",
                    style="filled,bold",
                    fillcolor=STALL_FILL,
                    color=STALL_BORDER,
                    fontcolor=STALL_BORDER,
                    fontsize="10",
                )
            else:
                column.attr(label=f"wave {wave}", style="dashed", color="#999999", fontsize="10")
            for app in (a for a in rendered.applications if a.wave == wave):
                label = f"{app.name}\\n{_describe(app)}\\nns {app.namespace} · [{app.project}]"
                border = {"color": STALL_BORDER, "penwidth": "2"} if stall and app.name in stall.applications else {}
                column.node(app.name, label, fillcolor=colours.get(app.project, "#eeeeee"), **border)
                graph.edge(anchor, app.name, style="invis")
                previous_anchors = [app.name]
        previous_anchors = [app.name for app in rendered.applications if app.wave == wave]
    components = rendered.values.get("components") or {}
    for app in rendered.applications:
        for dependency in components.get(app.name, {}).get("dependsOn") or []:
            graph.edge(dependency, app.name, style="dashed", color="#b0b0b0", constraint="false")
    return graph


def write_picture(rendered: RenderedEnvironment, out: Path, fmt: str, stall: Stall | None = None) -> Path:
    """Render the picture with graphviz `dot` (a missing `dot` is an error, never a skipped picture)."""
    find_tool("dot")  # graphviz (PyPI) runs `dot` from PATH; fail loudly here when it is missing
    graph = to_dot(rendered, stall)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = graph.pipe(format=fmt, engine="dot")
    except graphviz.backend.ExecutableNotFound as error:
        raise PlatformError(f"graphviz `dot` not runnable: {error}", fix="run `make tools`") from error
    out.write_bytes(data)
    return out
