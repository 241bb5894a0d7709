"""What the repository says an environment runs, compared with what its Argo CD reports."""

from __future__ import annotations

from collections.abc import Callable

from platformctl.argocd.api import ArgoCdApi
from platformctl.argocd.status import EnvironmentStatus, environment_status
from platformctl.environments import Environment
from platformctl.errors import PlatformError
from platformctl.findings import errors
from platformctl.render import render_root


def live_status(
    environment: Environment, api: ArgoCdApi, expected_revision: str, revision_ok: Callable[[str], bool]
) -> EnvironmentStatus:
    rendered = render_root(environment)
    problems = errors(rendered.findings)
    if problems:
        first = problems[0]
        raise PlatformError(f"the app-of-apps of {environment.name} does not render: {first.message}", fix=first.fix)
    children = [obj for obj in rendered.root_objects if obj.get("kind") == "Application"]
    repo_url = str((environment.platform.get("repo") or {}).get("url", ""))
    return environment_status(
        environment.name,
        api.server.url,
        children,
        rendered.root_application,
        api.applications(),
        repo_url,
        expected_revision,
        revision_ok,
    )
