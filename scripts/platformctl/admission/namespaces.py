"""Namespaces of an environment and the Pod Security level each enforces.

The level is the namespace's `pod-security.kubernetes.io/enforce` label (and `enforce-version`), read
from the Namespace objects the environment renders (the in-repo `namespaces` chart) or from an Argo CD
Application that creates its namespace with `managedNamespaceMetadata`. A namespace nothing renders has
no label: privileged, as on AKS, which configures no cluster-wide default. An invalid label is evaluated
as restricted at the latest version, as the Pod Security Admission does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
ENFORCE_VERSION_LABEL = "pod-security.kubernetes.io/enforce-version"
LEVELS = ("privileged", "baseline", "restricted")
Version = tuple[int, int]
_VERSION = re.compile(r"^v1\.(0|[1-9][0-9]*)$")


@dataclass(frozen=True)
class PodSecurity:
    level: str
    version: Version
    problem: str = ""  # why the labels were invalid ("" when they are valid)

    def label(self) -> str:
        return f"{self.level} v{self.version[0]}.{self.version[1]}"


def parse_version(text: str) -> Version:
    """'1.34' -> (1, 34)."""
    major, minor = str(text).split(".")[:2]
    return int(major), int(minor)


def pod_security(labels: dict[str, Any] | None, cluster_version: Version) -> PodSecurity:
    """The level and policy version a namespace with `labels` enforces on a cluster of `cluster_version`."""
    labels = labels or {}
    level = str(labels.get(ENFORCE_LABEL, "privileged"))
    version_text = str(labels.get(ENFORCE_VERSION_LABEL, "latest"))
    problems = []
    if level not in LEVELS:
        problems.append(f"{ENFORCE_LABEL}={level!r} is not one of {', '.join(LEVELS)}")
    version = cluster_version
    if version_text != "latest":
        match = _VERSION.match(version_text)
        if match:
            version = min((1, int(match.group(1))), cluster_version)  # a future version means latest
        else:
            problems.append(f"{ENFORCE_VERSION_LABEL}={version_text!r} is not 'latest' or v1.<minor>")
    if problems:
        return PodSecurity("restricted", cluster_version, "; ".join(problems))
    return PodSecurity(level, version)


def namespace_objects(objects: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """name -> labels of the Namespace objects among `objects`."""
    return {
        str(obj["metadata"].get("name")): dict(obj["metadata"].get("labels") or {})
        for obj in objects
        if obj.get("kind") == "Namespace" and isinstance(obj.get("metadata"), dict)
    }


def namespace_labels(applications: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Labels of every namespace the rendered Applications create (Namespace objects first)."""
    labels: dict[str, dict[str, Any]] = {}
    applications = list(applications)
    for app in applications:
        sync = (app.application.get("spec") or {}).get("syncPolicy") or {}
        managed = (sync.get("managedNamespaceMetadata") or {}).get("labels")
        if "CreateNamespace=true" in (sync.get("syncOptions") or []) and app.namespace:
            labels.setdefault(app.namespace, dict(managed or {}))
    for app in applications:
        labels.update(namespace_objects(app.objects))
    return labels
