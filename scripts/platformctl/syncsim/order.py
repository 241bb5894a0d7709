"""The order in which Argo CD applies the objects of one Application: phases, waves, kinds, names.

Reproduced as data plus a sort from Argo CD's sync engine (gitops-engine, in-tree in argoproj/argo-cd
since 3.3 under `gitops-engine/`; Argo CD 3.4 syncs with it):

- `pkg/sync/sync_tasks.go`: `syncPhaseOrder` (PreSync -1, Sync 0, PostSync 1, SyncFail 2), `kindOrder`
  (Helm's kind sorter; a kind absent from the list, e.g. any custom resource or webhook
  configuration, sorts last with 0), `Less` (phase, wave, kind, name) and `Sort`, which then moves
  each Namespace before the first object in it and each CRD before the first custom resource of its
  group/kind (the moved object takes that object's phase and wave: `adjustDeps`).
- `pkg/sync/sync_phase.go` + `pkg/sync/hook`: an object with `argocd.argoproj.io/hook` runs in each
  phase it names (`Skip` alone: never applied); otherwise its `helm.sh/hook` types are mapped
  (pre-install/pre-upgrade -> PreSync, post-install/post-upgrade -> PostSync). Any other Helm hook
  (test, pre-delete, post-delete, pre/post-rollback) and PostDelete are hooks with no sync phase:
  a sync never applies them (Argo CD runs PostDelete hooks when the Application is deleted,
  `controller/hook.go`). `helm.sh/hook: crd-install` is not a hook.
- `pkg/sync/syncwaves/waves.go`: the wave is `argocd.argoproj.io/sync-wave`, else
  `helm.sh/hook-weight`, else 0 (the weight counts for plain objects too).
- `pkg/sync/hook/delete_policy.go`: `argocd.argoproj.io/hook-delete-policy` plus the mapped
  `helm.sh/hook-delete-policy`; BeforeHookCreation when none. Kept on each hook task; they act once the
  whole operation has ended (or before a hook is re-created), so they never change what a first sync applies.
- `pkg/sync/sync_context.go` `runTasks`: within one phase+wave ("step"), consecutive tasks of the
  same kind are applied together and the next kind waits for them to be applied ("apply group");
  the next step waits until every object of the step is Healthy and every hook has completed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from platformctl.manifests import group_of

PRE_SYNC, SYNC, POST_SYNC, SYNC_FAIL = "PreSync", "Sync", "PostSync", "SyncFail"
PHASE_ORDER: dict[str, int] = {PRE_SYNC: -1, SYNC: 0, POST_SYNC: 1, SYNC_FAIL: 2}
HOOK_TYPES = frozenset({PRE_SYNC, SYNC, POST_SYNC, SYNC_FAIL, "Skip"})
HELM_HOOK_PHASES: dict[str, str] = {
    "pre-install": PRE_SYNC,
    "pre-upgrade": PRE_SYNC,
    "post-install": POST_SYNC,
    "post-upgrade": POST_SYNC,
}
HOOK_DELETE_POLICIES = frozenset({"HookSucceeded", "HookFailed", "BeforeHookCreation", "Never"})
HELM_DELETE_POLICIES: dict[str, str] = {
    "before-hook-creation": "BeforeHookCreation",
    "hook-succeeded": "HookSucceeded",
    "hook-failed": "HookFailed",
}

# Helm's kind sorter as Argo CD copies it; the value is the index minus the length, so every listed
# kind is negative and any other kind (0) comes after them.
_KINDS: tuple[str, ...] = (
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
)
KIND_ORDER: dict[str, int] = {kind: index - len(_KINDS) for index, kind in enumerate(_KINDS)}

HOOK_ANNOTATION = "argocd.argoproj.io/hook"
HELM_HOOK_ANNOTATION = "helm.sh/hook"
WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave"
SYNC_OPTIONS_ANNOTATION = "argocd.argoproj.io/sync-options"


def _annotations(obj: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in ((obj.get("metadata") or {}).get("annotations") or {}).items()}


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _int(text: str | None) -> int | None:
    try:
        return int(str(text).strip()) if text is not None else None
    except ValueError:
        return None


def wave_of(obj: dict[str, Any]) -> int:
    """sync-wave, else helm.sh/hook-weight, else 0 (an unparsable value counts as absent)."""
    annotations = _annotations(obj)
    wave = _int(annotations.get(WAVE_ANNOTATION))
    if wave is not None:
        return wave
    return _int(annotations.get("helm.sh/hook-weight")) or 0


def is_hook(obj: dict[str, Any]) -> bool:
    annotations = _annotations(obj)
    if HOOK_ANNOTATION in annotations:
        return hook_types(obj) != ["Skip"]
    return HELM_HOOK_ANNOTATION in annotations and annotations[HELM_HOOK_ANNOTATION] != "crd-install"


def _argo_hook_types(obj: dict[str, Any]) -> list[str]:
    return [t for t in _csv(_annotations(obj).get(HOOK_ANNOTATION)) if t in HOOK_TYPES]


def hook_types(obj: dict[str, Any]) -> list[str]:
    """Argo CD hook types; Helm hook types are mapped only when there is no valid Argo CD type."""
    types = _argo_hook_types(obj)
    if types:
        return types
    return [HELM_HOOK_PHASES[t] for t in _csv(_annotations(obj).get(HELM_HOOK_ANNOTATION)) if t in HELM_HOOK_PHASES]


def sync_phases(obj: dict[str, Any]) -> list[str]:
    """The phases a sync applies `obj` in: none for Skip and for hooks of other events."""
    types = hook_types(obj)
    if "Skip" in types and len(types) == 1:
        return []
    if is_hook(obj):
        return sorted({t for t in types if t in PHASE_ORDER}, key=PHASE_ORDER.__getitem__)
    return [SYNC]


def delete_policies(obj: dict[str, Any]) -> list[str]:
    annotations = _annotations(obj)
    policies = [p for p in _csv(annotations.get("argocd.argoproj.io/hook-delete-policy")) if p in HOOK_DELETE_POLICIES]
    policies += [
        HELM_DELETE_POLICIES[p]
        for p in _csv(annotations.get("helm.sh/hook-delete-policy"))
        if p in HELM_DELETE_POLICIES
    ]
    return policies or ["BeforeHookCreation"]


def has_sync_option(obj: dict[str, Any], option: str) -> bool:
    return option in _csv(_annotations(obj).get(SYNC_OPTIONS_ANNOTATION))


@dataclass
class SyncTask:
    """One object applied in one phase (a hook named in two phases is two tasks)."""

    obj: dict[str, Any] = field(repr=False)
    phase: str
    wave: int
    kind: str
    name: str
    group: str
    namespace: str  # "" for cluster-scoped objects
    hook: bool = False
    delete_policies: tuple[str, ...] = ()

    @property
    def step(self) -> tuple[int, int]:
        """(phase, wave): Argo CD applies one step at a time and waits for it before the next."""
        return PHASE_ORDER[self.phase], self.wave

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.name}"

    def sort_key(self) -> tuple[int, int, int, str]:
        return PHASE_ORDER[self.phase], self.wave, KIND_ORDER.get(self.kind, 0), self.name


NamespacedTest = Callable[[str, str], bool]  # (group, kind) -> namespaced?


def tasks_for(objects: Iterable[dict[str, Any]], namespace: str, namespaced: NamespacedTest) -> list[SyncTask]:
    """The sync tasks of an Application's rendered objects (unsorted)."""
    tasks = []
    for obj in objects:
        kind = str(obj.get("kind", ""))
        group = group_of(str(obj.get("apiVersion", "")))
        metadata = obj.get("metadata") or {}
        name = str(metadata.get("name") or metadata.get("generateName") or "")
        object_namespace = str(metadata.get("namespace") or namespace) if namespaced(group, kind) else ""
        hook = is_hook(obj)
        for phase in sync_phases(obj):
            tasks.append(
                SyncTask(
                    obj,
                    phase,
                    wave_of(obj),
                    kind,
                    name,
                    group,
                    object_namespace,
                    hook,
                    tuple(delete_policies(obj)) if hook else (),
                )
            )
    return tasks


def sort_tasks(tasks: Sequence[SyncTask]) -> list[SyncTask]:
    """Argo CD's `syncTasks.Sort`: the stable sort, then Namespaces and CRDs moved before their users."""
    ordered = sorted(tasks, key=SyncTask.sort_key)
    _adjust_dependencies(
        ordered,
        lambda t: t.name if t.kind == "Namespace" and t.group == "" else None,
        lambda t: t.namespace or None,
    )
    _adjust_dependencies(ordered, _crd_key, lambda t: f"{t.group}/{t.kind}")
    return ordered


def _crd_key(task: SyncTask) -> str | None:
    if task.kind != "CustomResourceDefinition" or task.group != "apiextensions.k8s.io":
        return None
    spec = task.obj.get("spec") or {}
    group, kind = spec.get("group"), (spec.get("names") or {}).get("kind")
    return f"{group}/{kind}" if group and kind else None


def _adjust_dependencies(
    tasks: list[SyncTask],
    dependency_key: Callable[[SyncTask], str | None],
    referenced_key: Callable[[SyncTask], str | None],
) -> None:
    """Move each dependency before the first task referencing it, into that task's phase and wave."""
    first_user: dict[str, int] = {}
    # As in Go's range loop: a move only shifts tasks already visited, so position `index` always
    # holds the next task of the original order.
    for index in range(len(tasks)):
        task = tasks[index]
        key = dependency_key(task)
        if key is not None:
            target = first_user.get(key)
            if target is not None:
                task.phase, task.wave = tasks[target].phase, tasks[target].wave
                tasks.insert(target, tasks.pop(index))
                for other, position in first_user.items():
                    if position >= target:
                        first_user[other] = position + 1
        else:
            key = referenced_key(task)
            if key is not None:
                first_user.setdefault(key, index)


def apply_groups(tasks: Sequence[SyncTask]) -> list[int]:
    """For sorted tasks, the index of each task's apply group within its step (a new group per kind change)."""
    groups: list[int] = []
    for position, task in enumerate(tasks):
        if position == 0 or tasks[position - 1].step != task.step:
            groups.append(0)
        elif tasks[position - 1].kind != task.kind:
            groups.append(groups[-1] + 1)
        else:
            groups.append(groups[-1])
    return groups
