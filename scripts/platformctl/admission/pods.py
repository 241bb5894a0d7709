"""The pod templates of rendered workloads, as the API server admits them (one Pod per template).

Pods are what admission judges: a Deployment is accepted and its ReplicaSet then fails to create pods.
So every workload kind that creates pods is read down to its pod template, hook Jobs (Helm or Argo CD)
included (Helm test hooks excepted: Argo CD never runs them), and each container is visited as the Pod
Security Admission does: init, regular, ephemeral.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

CONTAINER_FIELDS = ("initContainers", "containers", "ephemeralContainers")
TEMPLATE_KINDS = frozenset({"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController"})
HOOK_ANNOTATIONS = ("helm.sh/hook", "argocd.argoproj.io/hook")
# Hooks Argo CD never runs: Helm test hooks (no Argo CD equivalent) and Argo CD's own Skip.
NEVER_RUN_HOOKS = frozenset({"test", "test-success", "test-failure", "Skip"})


@dataclass(frozen=True)
class Container:
    name: str
    field: str  # initContainers | containers | ephemeralContainers
    spec: dict[str, Any]

    @property
    def security(self) -> dict[str, Any]:
        return _mapping(self.spec.get("securityContext"))


@dataclass(frozen=True)
class PodTemplate:
    kind: str  # the workload's kind (Deployment, CronJob, Pod, ...)
    name: str
    namespace: str
    annotations: dict[str, Any]  # of the pod template (AppArmor/seccomp annotations live there)
    spec: dict[str, Any]
    hook: str  # "" or the hook phases of a Helm/Argo CD hook
    containers: tuple[Container, ...]

    @property
    def security(self) -> dict[str, Any]:
        return _mapping(self.spec.get("securityContext"))

    @property
    def container_names(self) -> tuple[str, ...]:
        return tuple(container.name for container in self.containers)

    @property
    def windows(self) -> bool:
        return _mapping(self.spec.get("os")).get("name") == "windows"

    @property
    def user_namespace(self) -> bool:
        """hostUsers: false (the pod runs in its own user namespace)."""
        return self.spec.get("hostUsers") is False

    def effective(self, container: Container, field: str) -> Any:
        """A securityContext field of the container, else of the pod (Kubernetes' inheritance)."""
        value = container.security.get(field)
        return self.security.get(field) if value is None else value


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _template(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(pod metadata, pod spec) of a workload, or None for objects that create no pods."""
    kind, spec = obj.get("kind"), _mapping(obj.get("spec"))
    if kind == "Pod":
        return _mapping(obj.get("metadata")), spec
    if kind == "CronJob":
        spec = _mapping(_mapping(spec.get("jobTemplate")).get("spec"))
    elif kind not in TEMPLATE_KINDS:
        return None
    template = _mapping(spec.get("template"))
    return _mapping(template.get("metadata")), _mapping(template.get("spec"))


def pod_templates(objects: Iterable[dict[str, Any]], default_namespace: str) -> Iterator[PodTemplate]:
    """Every pod template of `objects`; a namespace-less object lands in `default_namespace` (Argo CD)."""
    for obj in objects:
        found = _template(obj)
        if found is None:
            continue
        pod_metadata, spec = found
        metadata = _mapping(obj.get("metadata"))
        annotations = _mapping(metadata.get("annotations"))
        hook = next((str(annotations[key]) for key in HOOK_ANNOTATIONS if annotations.get(key)), "")
        if hook and {phase.strip() for phase in hook.split(",")} <= NEVER_RUN_HOOKS:
            continue
        containers = tuple(
            Container(str(item.get("name", "?")), field, item)
            for field in CONTAINER_FIELDS
            for item in spec.get(field) or []
            if isinstance(item, dict)
        )
        yield PodTemplate(
            kind=str(obj.get("kind")),
            name=str(metadata.get("name", "")),
            namespace=str(metadata.get("namespace") or default_namespace),
            annotations=_mapping(pod_metadata.get("annotations")),
            spec=spec,
            hook=hook,
            containers=containers,
        )
