"""The upstream charts an environment deploys: repository, chart name and exact version.

Taken from what the app-of-apps chart really renders (its child Applications with a `chart`
source), so the pins are exactly what Argo CD would pull, whatever the catalogue's conventions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from platformctl.environments import list_environments
from platformctl.errors import PlatformError
from platformctl.render import ROOT, RenderedApplication, render_root


@dataclass(frozen=True)
class ChartPin:
    """One upstream chart at one version, as a lock entry and `helm pull` name it."""

    repository: str
    name: str
    version: str

    @property
    def archive_name(self) -> str:
        """The file name render looks for in the chart cache."""
        return f"{self.name}-{self.version}.tgz"

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (self.name, self.version, self.repository)

    def __str__(self) -> str:
        return f"{self.name} {self.version} ({self.repository})"


def application_pins(applications: Iterable[RenderedApplication]) -> dict[str, ChartPin]:
    """Application name -> chart pin, for the Applications of an upstream chart."""
    return {
        app.name: ChartPin(app.repo_url, app.chart, app.version) for app in applications if app.source == "upstream"
    }


def all_pins(root: Path, mirror: Path | str | None = None) -> dict[ChartPin, list[str]]:
    """Every chart pinned by any environment -> the `env/application` entries that pin it.

    Renders only each env's app-of-apps chart (cached); one that does not render is a PlatformError.
    """
    found: dict[ChartPin, list[str]] = {}
    for environment in list_environments(root):
        rendered = render_root(environment, root=root, mirror=mirror)
        failure = next((f for f in rendered.findings if f.application == ROOT), None)
        if failure is not None:
            raise PlatformError(
                f"env {environment.name}: the app-of-apps chart does not render: {failure.message}",
                fix=f"run `platformctl validate {environment.name}` and fix the root cause first",
            )
        for application, pin in application_pins(rendered.applications).items():
            found.setdefault(pin, []).append(f"{environment.name}/{application}")
    return dict(sorted(found.items(), key=lambda item: item[0].sort_key))
