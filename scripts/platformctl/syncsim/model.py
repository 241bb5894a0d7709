"""Every Application of an environment as Argo CD would sync it: sorted tasks, steps and apply groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from platformctl.crds import CrdCatalogue
from platformctl.manifests import CLUSTER_SCOPED_KINDS
from platformctl.render import RenderedApplication, RenderedEnvironment
from platformctl.syncsim.order import SyncTask, apply_groups, sort_tasks, tasks_for
from platformctl.syncsim.selectors import labels_of

SKIP_DRY_RUN = "SkipDryRunOnMissingResource=true"


@dataclass
class AppSync:
    """One child Application: its rendered objects in Argo CD's order."""

    app: RenderedApplication
    tasks: list[SyncTask]
    groups: list[int]  # apply group of each task within its step
    steps: list[tuple[int, int]] = field(default_factory=list)  # distinct (phase, wave), in order

    def __post_init__(self) -> None:
        self.steps = sorted({task.step for task in self.tasks})

    def position(self, index: int) -> tuple[int, int]:
        """(step index, apply group): what is applied before what in this sync."""
        return self.steps.index(self.tasks[index].step), self.groups[index]

    def sync_option(self, option: str) -> bool:
        """An Application-level `syncPolicy.syncOptions` entry."""
        options = ((self.app.application.get("spec") or {}).get("syncPolicy") or {}).get("syncOptions") or []
        return option in [str(o) for o in options]

    @property
    def retries(self) -> int:
        """syncPolicy.retry.limit: 0 never retries; a negative limit retries forever (Argo CD)."""
        retry = ((self.app.application.get("spec") or {}).get("syncPolicy") or {}).get("retry") or {}
        return int(retry.get("limit") or 0)

    @property
    def retried(self) -> bool:
        """Whether a failed sync is tried again."""
        return self.retries != 0

    @property
    def retry_limit(self) -> str:
        """The limit as a message shows it."""
        return "unlimited" if self.retries < 0 else str(self.retries)


@dataclass
class SyncModel:
    env: str
    apps: list[AppSync]  # by wave, then name (the root's order)
    namespace_labels: dict[str, dict[str, str]]  # every Namespace the env renders
    plurals: dict[tuple[str, str], str]  # (group, kind) -> resource, from the env's CRDs
    rendered_crds: dict[tuple[str, str], list[str]]  # (group, kind) -> Applications rendering its CRD

    def by_name(self, name: str) -> AppSync | None:
        return next((a for a in self.apps if a.app.name == name), None)


def build_model(rendered: RenderedEnvironment, crds: CrdCatalogue) -> SyncModel:
    def namespaced(group: str, kind: str) -> bool:
        known = crds.is_namespaced(group, kind)
        return known if known is not None else (group, kind) not in CLUSTER_SCOPED_KINDS

    apps = []
    namespace_labels: dict[str, dict[str, str]] = {}
    plurals: dict[tuple[str, str], str] = {}
    rendered_crds: dict[tuple[str, str], list[str]] = {}
    for app in sorted(rendered.applications, key=lambda a: (a.wave, a.name)):
        tasks = sort_tasks(tasks_for(app.objects, app.namespace, namespaced))
        apps.append(AppSync(app, tasks, apply_groups(tasks)))
        for obj in app.objects:
            _index(obj, app.name, namespace_labels, plurals, rendered_crds)
    return SyncModel(rendered.env, apps, namespace_labels, plurals, rendered_crds)


def _index(
    obj: dict[str, Any],
    app: str,
    namespace_labels: dict[str, dict[str, str]],
    plurals: dict[tuple[str, str], str],
    rendered_crds: dict[tuple[str, str], list[str]],
) -> None:
    kind = obj.get("kind")
    if kind == "Namespace":
        name = str((obj.get("metadata") or {}).get("name", ""))
        # The API server labels every namespace with its name (NamespaceDefaultLabelName, 1.21+).
        namespace_labels[name] = {**labels_of(obj), "kubernetes.io/metadata.name": name}
    elif kind == "CustomResourceDefinition":
        spec = obj.get("spec") or {}
        names = spec.get("names") or {}
        key = (str(spec.get("group", "")), str(names.get("kind", "")))
        plurals[key] = str(names.get("plural") or "")
        rendered_crds.setdefault(key, []).append(app)
