"""Kubernetes objects as the gates see them: parsed from rendered YAML, identified, and written back.

Helm output is a stream of YAML documents; `parse_manifest` turns it into plain dicts (empty
documents dropped; read as Kubernetes reads YAML, see `platformctl.kube_yaml`) and raises a
PlatformError naming the file and line for malformed YAML.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platformctl.errors import PlatformError
from platformctl.kube_yaml import load_documents

# Built-in kinds that are cluster-scoped (group, kind). CRD kinds take their scope from the CRD.
CLUSTER_SCOPED_KINDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        ("", "ComponentStatus"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("apiregistration.k8s.io", "APIService"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
        ("networking.k8s.io", "IngressClass"),
        ("networking.k8s.io", "IPAddress"),
        ("networking.k8s.io", "ServiceCIDR"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("storage.k8s.io", "CSINode"),
        ("storage.k8s.io", "VolumeAttachment"),
        ("storage.k8s.io", "VolumeAttributesClass"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("node.k8s.io", "RuntimeClass"),
        ("certificates.k8s.io", "CertificateSigningRequest"),
        ("certificates.k8s.io", "ClusterTrustBundle"),
        ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
        ("resource.k8s.io", "DeviceClass"),
        ("resource.k8s.io", "ResourceSlice"),
    }
)


def group_of(api_version: str) -> str:
    """'apps/v1' -> 'apps'; 'v1' -> '' (the core group)."""
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


@dataclass(frozen=True, order=True)
class ObjectKey:
    """What makes an object unique in a cluster: group, kind, namespace ('' if cluster-scoped), name."""

    group: str
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        group = f".{self.group}" if self.group else ""
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}{group} {where}{self.name}"


def kind_and_name(obj: dict[str, Any]) -> tuple[str, str]:
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return str(obj.get("kind", "")), str(metadata.get("name", ""))


def object_key(obj: dict[str, Any], default_namespace: str, cluster_scoped: bool) -> ObjectKey:
    kind, name = kind_and_name(obj)
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    namespace = "" if cluster_scoped else str(metadata.get("namespace") or default_namespace)
    return ObjectKey(group_of(str(obj.get("apiVersion", ""))), kind, namespace, name)


def parse_manifest(text: str, source: str, cache_dir: Path | None = None) -> list[dict[str, Any]]:
    """Every non-empty YAML document of `text`; `source` names the file in errors; `cache_dir` keeps
    the parsed documents on disk for later runs (see `platformctl.kube_yaml.load_documents`)."""
    try:
        documents = load_documents(text, cache_dir)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise PlatformError(f"{where}: malformed YAML: {problem}", fix="correct the YAML syntax") from error
    objects: list[dict[str, Any]] = []
    for index, document in enumerate(documents):
        if document is None:
            continue
        if not isinstance(document, dict):
            raise PlatformError(
                f"{source}: document {index + 1} is a {type(document).__name__}, not a Kubernetes object",
                fix="every YAML document must be a mapping with apiVersion, kind and metadata",
            )
        objects.append(document)
    return objects


def iter_images(obj: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(container path, image) of every container, init container and ephemeral container of `obj`."""
    pod_spec = _pod_spec(obj)
    if not isinstance(pod_spec, dict):
        return
    for field in ("initContainers", "containers", "ephemeralContainers"):
        for container in pod_spec.get(field) or []:
            if isinstance(container, dict) and container.get("image"):
                yield f"{field}[{container.get('name', '?')}]", str(container["image"])


def _pod_spec(obj: dict[str, Any]) -> Any:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return None
    if obj.get("kind") == "Pod":
        return spec
    if obj.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    template = spec.get("template")
    return template.get("spec") if isinstance(template, dict) else None


def deep_merge(base: Any, override: Any) -> Any:
    """Helm's merge of value files: maps merge key by key, everything else is replaced; null deletes."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        return copy.deepcopy(override)
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif key in merged:
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise PlatformError(f"{path}: file not found", fix="create it or correct the reference") from error
