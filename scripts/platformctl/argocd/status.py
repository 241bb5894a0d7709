"""The live state of one environment, judged against what the repository says it must run.

An environment is ready when every Application the app-of-apps renders for it (and the root
Application itself) exists, is Synced and Healthy, at the expected revision of this repository, and the
last hook of its last sync did not fail. The first wave that is not ready is the one a bootstrap or an
upgrade is stuck at: every later wave waits on it (the root Application syncs children wave by wave).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from platformctl.findings import format_table

WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave"
ROOT_WAVE = -(10**6)  # the root Application comes before every wave it creates
FAILED_PHASES = ("Failed", "Error")


@dataclass(frozen=True)
class HookResult:
    """The hooks of an Application's last sync operation (PreSync, PostSync, SyncFail...)."""

    phase: str  # Succeeded | Running | Failed | Error (the worst of the hooks)
    hooks: tuple[str, ...]  # "PostSync Job/exposition-api-verify"
    message: str
    revision: str  # of our repository, in the operation that ran them
    finished_at: str

    def short(self) -> str:
        return f"{self.phase} ({', '.join(self.hooks)})"


@dataclass(frozen=True)
class ApplicationStatus:
    name: str
    wave: int
    sync: str
    health: str
    revision: str
    hook: HookResult | None
    problems: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return not self.problems


@dataclass
class EnvironmentStatus:
    env: str
    server: str
    expected_revision: str
    applications: list[ApplicationStatus] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return all(app.ready for app in self.applications)

    @property
    def first_unready_wave(self) -> int | None:
        waves = [app.wave for app in self.applications if not app.ready]
        return min(waves) if waves else None

    def application(self, name: str) -> ApplicationStatus | None:
        return next((app for app in self.applications if app.name == name), None)

    def table(self) -> str:
        rows = [
            [app.name, _wave(app.wave), app.sync, app.health, app.revision[:12] or "-",
             app.hook.short() if app.hook else "-", "; ".join(app.problems) or "ok"]
            for app in self.applications
        ]  # fmt: skip
        return format_table(["application", "wave", "sync", "health", "revision", "last hook", "status"], rows)

    def summary(self) -> str:
        wave = self.first_unready_wave
        if wave is None:
            return (
                f"env {self.env}: READY, {len(self.applications)} Applications Synced and Healthy at "
                f"{self.expected_revision[:12]}"
            )
        stuck = [app for app in self.applications if app.wave == wave and not app.ready]
        names = ", ".join(f"{app.name} ({'; '.join(app.problems)})" for app in stuck)
        later = sum(1 for app in self.applications if app.wave > wave)
        return f"env {self.env}: NOT READY; first wave not ready: {_wave(wave)}: {names}; {later} Application(s) wait"

    def to_json(self) -> str:
        document = {
            "env": self.env,
            "server": self.server,
            "expected_revision": self.expected_revision,
            "ready": self.ready,
            "first_unready_wave": self.first_unready_wave,
            "applications": [asdict(app) | {"ready": app.ready} for app in self.applications],
        }
        return json.dumps(document, indent=2)


def _wave(wave: int) -> str:
    return "root" if wave == ROOT_WAVE else str(wave)


def wave_of(application: dict[str, Any]) -> int:
    annotations = (application.get("metadata") or {}).get("annotations") or {}
    try:
        return int(str(annotations.get(WAVE_ANNOTATION, "0")))
    except ValueError:
        return 0


def _same_repository(left: str, right: str) -> bool:
    def normal(url: str) -> str:
        return url.strip().rstrip("/").removesuffix(".git").lower()

    return bool(left) and normal(left) == normal(right)


def _sources(application: dict[str, Any]) -> list[dict[str, Any]]:
    spec = application.get("spec") or {}
    return list(spec.get("sources") or ([spec["source"]] if spec.get("source") else []))


def _our_revision(application: dict[str, Any], result: dict[str, Any], repo_url: str) -> str:
    """The revision of this repository in `result` (status.sync or an operation's syncResult)."""
    revisions = result.get("revisions") or ([result["revision"]] if result.get("revision") else [])
    sources = _sources(application)
    for source, revision in zip(sources, revisions, strict=False):
        if _same_repository(str(source.get("repoURL", "")), repo_url):
            return str(revision)
    return str(revisions[0]) if len(revisions) == 1 else ""


def _hook_result(application: dict[str, Any], repo_url: str) -> HookResult | None:
    operation = (application.get("status") or {}).get("operationState") or {}
    sync_result = operation.get("syncResult") or {}
    hooks = [r for r in sync_result.get("resources") or [] if isinstance(r, dict) and r.get("hookType")]
    if not hooks:
        return None
    phases = [str(hook.get("hookPhase") or hook.get("status") or "Unknown") for hook in hooks]
    worst = next((p for p in (*FAILED_PHASES, "Running", "Pending", "Unknown") if p in phases), "Succeeded")
    messages = [
        str(h.get("message", "")) for h, p in zip(hooks, phases, strict=True) if p == worst and h.get("message")
    ]
    return HookResult(
        phase=worst,
        hooks=tuple(f"{h['hookType']} {h.get('kind', '?')}/{h.get('name', '?')}" for h in hooks),
        message="; ".join(messages),
        revision=_our_revision(application, sync_result, repo_url),
        finished_at=str(operation.get("finishedAt", "")),
    )


def application_status(
    expected: dict[str, Any],
    live: dict[str, Any] | None,
    repo_url: str,
    revision_ok: Callable[[str], bool],
    wave: int | None = None,
) -> ApplicationStatus:
    name = str((expected.get("metadata") or {}).get("name", "?"))
    wave = wave_of(expected) if wave is None else wave
    if live is None:
        return ApplicationStatus(name, wave, "Missing", "Missing", "", None, ("missing: not created yet",))
    status = live.get("status") or {}
    sync = str((status.get("sync") or {}).get("status", "Unknown"))
    health_block = status.get("health") or {}
    health = str(health_block.get("status", "Unknown"))
    revision = _our_revision(live, status.get("sync") or {}, repo_url)
    hook = _hook_result(live, repo_url)
    operation = status.get("operationState") or {}
    problems = []
    if sync != "Synced":
        problems.append(f"sync {sync}")
    if health != "Healthy":
        message = health_block.get("message")
        problems.append(f"health {health}" + (f": {message}" if message else ""))
    if not revision:
        problems.append("no revision of this repository")
    elif not revision_ok(revision):
        problems.append(f"at {revision[:12]}, not the expected revision")
    if hook is not None and hook.phase in FAILED_PHASES:
        problems.append(f"hook failed: {', '.join(hook.hooks)}" + (f" ({hook.message})" if hook.message else ""))
    elif operation.get("phase") in FAILED_PHASES:
        problems.append(f"last sync {operation['phase']}: {operation.get('message', '')}".rstrip(": "))
    return ApplicationStatus(name, wave, sync, health, revision, hook, tuple(problems))


def environment_status(
    env: str,
    server: str,
    expected: Iterable[dict[str, Any]],
    root: dict[str, Any] | None,
    live: Iterable[dict[str, Any]],
    repo_url: str,
    expected_revision: str,
    revision_ok: Callable[[str], bool],
) -> EnvironmentStatus:
    """Judge every expected Application (and the root) against the live ones, sorted by wave then name."""
    by_name = {str((app.get("metadata") or {}).get("name")): app for app in live}
    result = EnvironmentStatus(env, server, expected_revision)
    if root is not None:
        root_name = str((root.get("metadata") or {}).get("name"))
        result.applications.append(
            application_status(root, by_name.get(root_name), repo_url, revision_ok, wave=ROOT_WAVE)
        )
    children = [
        application_status(app, by_name.get(str((app.get("metadata") or {}).get("name"))), repo_url, revision_ok)
        for app in expected
    ]
    result.applications += sorted(children, key=lambda app: (app.wave, app.name))
    return result
