"""What exists in an environment: every rendered object of every Application, plus what the cluster
provides (platform/cluster-provided.yaml), indexed for the resolvers.

Targets are looked up across all Applications of the env, never only the referring one. When some
Application is not rendered (an upstream chart absent from the chart cache), a target that it could
hold is undecidable: `Inventory.undecidable` says so and the gate stays silent rather than guess.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import EllipsisType
from typing import Any

from platformctl.manifests import group_of

WORKLOAD_KINDS = frozenset(
    {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"}
)
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"  # set on every Namespace by the API server (1.21+)
CLUSTER = "(cluster)"  # the application of objects the cluster provides


@dataclass(frozen=True, eq=False)
class Item:
    """One object of the env: rendered by an Application, or provided by the cluster (`origin` says why)."""

    obj: dict[str, Any]
    app: str
    file: str
    group: str
    kind: str
    namespace: str  # '' for cluster-scoped objects
    name: str
    origin: str = ""  # why the cluster provides it (empty for rendered objects)
    keys: frozenset[str] | None = frozenset()  # Secret/ConfigMap data keys; None: any key (unknown)

    @property
    def labels(self) -> dict[str, str]:
        metadata = self.obj.get("metadata") if isinstance(self.obj.get("metadata"), dict) else {}
        labels = metadata.get("labels")
        return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.obj.get("spec")
        return spec if isinstance(spec, dict) else {}

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"


# A Secret of this type is filled by the token controller (https://kubernetes.io/docs/concepts/configuration/secret/)
SERVICE_ACCOUNT_TOKEN_KEYS = {"kubernetes.io/service-account-token": frozenset({"token", "ca.crt", "namespace"})}


def data_keys(obj: dict[str, Any]) -> frozenset[str]:
    """Keys a rendered Secret or ConfigMap carries (data, stringData, binaryData, and those its type adds)."""
    keys: set[str] = set(SERVICE_ACCOUNT_TOKEN_KEYS.get(str(obj.get("type", "")), ()))
    for section in ("data", "stringData", "binaryData"):
        keys.update(str(key) for key in (obj.get(section) or {}))
    return frozenset(keys)


@dataclass(frozen=True, eq=False)
class PodTemplate:
    """The pod spec of a workload (or of a pod an operator creates) with the labels its pods carry."""

    owner: Item
    path: str  # where the pod spec sits in the owner, e.g. spec.template.spec
    labels: dict[str, str]
    spec: dict[str, Any]

    def containers(self) -> Iterator[dict[str, Any]]:
        for section in ("initContainers", "containers", "ephemeralContainers"):
            yield from (c for c in self.spec.get(section) or [] if isinstance(c, dict))

    def ports(self) -> list[dict[str, Any]]:
        return [port for c in self.containers() for port in c.get("ports") or [] if isinstance(port, dict)]


def pod_template(item: Item) -> PodTemplate | None:
    if item.kind not in WORKLOAD_KINDS:
        return None
    if item.kind == "Pod":
        return PodTemplate(item, "spec", item.labels, item.spec)
    spec = item.spec
    path = "spec.template"
    if item.kind == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
        path = "spec.jobTemplate.spec.template"
    template = spec.get("template")
    if not isinstance(template, dict):
        return None
    metadata = template.get("metadata") or {}
    labels = {str(k): str(v) for k, v in (metadata.get("labels") or {}).items()}
    return PodTemplate(item, f"{path}.spec", labels, template.get("spec") or {})


def running_pods(item: Item) -> list[PodTemplate]:
    """The pods a workload runs, with the labels their controller adds at run time.

    A StatefulSet's pods carry `statefulset.kubernetes.io/pod-name` and `apps.kubernetes.io/pod-index`
    (one pod per ordinal, Services may select a single one), a Job's pods `job-name` and
    `batch.kubernetes.io/job-name` (https://kubernetes.io/docs/reference/labels-annotations-taints/).
    """
    template = pod_template(item)
    if template is None:
        return []
    if item.kind == "StatefulSet":
        replicas = int(item.spec.get("replicas", 1) or 0)
        start = int((item.spec.get("ordinals") or {}).get("start", 0))
        return [
            PodTemplate(
                item,
                template.path,
                {
                    **template.labels,
                    "statefulset.kubernetes.io/pod-name": f"{item.name}-{ordinal}",
                    "apps.kubernetes.io/pod-index": str(ordinal),
                },
                template.spec,
            )
            for ordinal in range(start, start + max(replicas, 1))
        ]
    if item.kind == "Job":
        extra = {"job-name": item.name, "batch.kubernetes.io/job-name": item.name}
        return [PodTemplate(item, template.path, {**template.labels, **extra}, template.spec)]
    return [template]


@dataclass
class Inventory:
    """Every object of the env, by (group, kind) then (namespace, name)."""

    items: list[Item]
    undecided_namespaces: frozenset[str] = frozenset()  # namespaces an unrendered Application writes into
    some_unrendered: bool = False
    undecided_cluster_kinds: tuple[dict[str, str], ...] = ()  # clusterResourceWhitelist of unrendered apps' projects
    # (group, kind) -> name -> data keys (None: any) of the objects every namespace has
    every_namespace: dict[tuple[str, str], dict[str, frozenset[str] | None]] = field(default_factory=dict)
    prefixes: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # (group, kind) -> name prefixes
    _index: dict[tuple[str, str], dict[tuple[str, str], list[Item]]] = field(default_factory=dict)
    _pods: dict[str, list[PodTemplate]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], dict[tuple[str, str], list[Item]]] = defaultdict(lambda: defaultdict(list))
        pods: dict[str, list[PodTemplate]] = defaultdict(list)
        for item in self.items:
            index[(item.group, item.kind)][(item.namespace, item.name)].append(item)
            pods[item.namespace].extend(running_pods(item))
        self._index = index
        self._pods = pods

    # -- look-ups -----------------------------------------------------------------------------------
    def find(self, group: str, kind: str, namespace: str, name: str) -> list[Item]:
        found = list(self._index.get((group, kind), {}).get((namespace, name), []))
        everywhere = self.every_namespace.get((group, kind), {})
        if not found and namespace and name in everywhere:
            found = [self._synthetic(group, kind, namespace, name, "one in every namespace", everywhere[name])]
        if not found and name.startswith(self.prefixes.get((group, kind), ())):
            found = [self._synthetic(group, kind, namespace, name, "a built-in of the cluster", None)]
        return found

    def of_kind(self, group: str, kind: str) -> list[Item]:
        return [item for items in self._index.get((group, kind), {}).values() for item in items]

    def names(self, group: str, kind: str, namespace: str) -> list[str]:
        names = {name for ns, name in self._index.get((group, kind), {}) if ns == namespace}
        return sorted(names | (set(self.every_namespace.get((group, kind), {})) if namespace else set()))

    def namespaces_holding(self, group: str, kind: str, name: str) -> list[str]:
        return sorted({ns for ns, n in self._index.get((group, kind), {}) if n == name and ns})

    def pods(self, namespace: str) -> list[PodTemplate]:
        return self._pods.get(namespace, [])

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        labels = {NAMESPACE_NAME_LABEL: namespace}
        for item in self.find("", "Namespace", "", namespace):
            labels.update(item.labels)
        return labels

    def namespaces(self) -> set[str]:
        known = {item.name for item in self.of_kind("", "Namespace")}
        return known | {item.namespace for item in self.items if item.namespace}

    def undecidable(self, namespace: str, kind: tuple[str, str] | None = None) -> bool:
        """Whether an unrendered Application could hold the missing target.

        A namespaced target: when an unrendered Application writes into its namespace. A cluster-scoped
        one of known kind: when the AppProject of an unrendered Application allows that kind. Else
        (a target in any namespace): when any Application is unrendered.
        """
        if namespace:
            return namespace in self.undecided_namespaces
        if kind is None:
            return self.some_unrendered
        group, name = kind
        return any(
            fnmatch.fnmatchcase(group, str(entry.get("group", "")))
            and fnmatch.fnmatchcase(name, str(entry.get("kind", "")))
            for entry in self.undecided_cluster_kinds
        )

    @staticmethod
    def _synthetic(group: str, kind: str, namespace: str, name: str, origin: str, keys: frozenset[str] | None) -> Item:
        api_version = f"{group}/v1" if group else "v1"
        metadata = {"name": name, "namespace": namespace} if namespace else {"name": name}
        obj = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
        return Item(obj, CLUSTER, "", group, kind, namespace, name, origin=origin, keys=keys)


def make_item(
    obj: dict[str, Any],
    app: str,
    file: str,
    default_namespace: str,
    cluster_scoped: Callable[[str, str], bool],
    origin: str = "",
    keys: frozenset[str] | EllipsisType | None = ...,
) -> Item:
    """An Item of `obj`; `keys` defaults to the data keys `obj` carries (None: any key, unknown offline)."""
    group = group_of(str(obj.get("apiVersion", "")))
    kind = str(obj.get("kind", ""))
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    namespace = "" if cluster_scoped(group, kind) else str(metadata.get("namespace") or default_namespace)
    return Item(
        obj,
        app,
        file,
        group,
        kind,
        namespace,
        str(metadata.get("name", "")),
        origin,
        data_keys(obj) if keys is ... else keys,
    )
