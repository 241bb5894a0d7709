"""CustomResourceDefinitions: from the offline mirror (`crds/`) and from what an environment renders.

Answers three questions the gates ask: which schema validates a custom resource, whether a kind is
cluster-scoped, and which API versions the platform provides (helm's `--api-versions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from platformctl.manifests import CLUSTER_SCOPED_KINDS, parse_manifest, read_text
from platformctl.paths import repo_root


@dataclass(frozen=True)
class CrdVersion:
    group: str
    kind: str
    version: str
    namespaced: bool
    schema: dict[str, Any] | None = field(compare=False, hash=False)
    source: str = ""  # file the CRD came from


def crd_versions(crd: dict[str, Any], source: str) -> list[CrdVersion]:
    spec = crd.get("spec") or {}
    group = str(spec.get("group", ""))
    kind = str((spec.get("names") or {}).get("kind", ""))
    namespaced = spec.get("scope", "Namespaced") == "Namespaced"
    found = []
    for version in spec.get("versions") or []:
        if not version.get("served", True):
            continue
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        found.append(CrdVersion(group, kind, str(version.get("name")), namespaced, schema, source))
    return found


@cache
def mirror_crds(mirror: Path) -> tuple[CrdVersion, ...]:
    """Every served CRD version in the mirror's crds/ folder (parsed once per process)."""
    found: list[CrdVersion] = []
    for path in sorted((mirror / "crds").rglob("*.yaml")):
        for document in parse_manifest(read_text(path), str(path), repo_root() / ".cache" / "parsed"):
            if document.get("kind") == "CustomResourceDefinition":
                found.extend(crd_versions(document, str(path.relative_to(mirror))))
    return tuple(found)


class CrdCatalogue:
    """Lookup of CRD versions by (group, version, kind): the mirror first, then the env's own CRDs."""

    def __init__(self, mirror: Path, rendered_crds: list[tuple[dict[str, Any], str]] = ()) -> None:
        self._by_gvk: dict[tuple[str, str, str], CrdVersion] = {}
        self._kinds: dict[tuple[str, str], list[CrdVersion]] = {}
        rendered = [v for crd, source in rendered_crds for v in crd_versions(crd, source)]
        for version in [*mirror_crds(mirror), *rendered]:
            self._by_gvk.setdefault((version.group, version.version, version.kind), version)
            self._kinds.setdefault((version.group, version.kind), []).append(version)

    def find(self, group: str, version: str, kind: str) -> CrdVersion | None:
        return self._by_gvk.get((group, version, kind))

    def served_versions(self, group: str, kind: str) -> list[str]:
        return sorted({v.version for v in self._kinds.get((group, kind), [])})

    def is_namespaced(self, group: str, kind: str) -> bool | None:
        versions = self._kinds.get((group, kind))
        return versions[0].namespaced if versions else None

    def is_cluster_scoped(self, group: str, kind: str) -> bool:
        """Scope of a kind: its CRD's, else the built-in list (an unknown kind counts as namespaced)."""
        namespaced = self.is_namespaced(group, kind)
        if namespaced is not None:
            return not namespaced
        return (group, kind) in CLUSTER_SCOPED_KINDS

    def api_versions(self) -> list[str]:
        """`group/version` and `group/version/Kind` of every known CRD, for helm --api-versions."""
        out = set()
        for group, version, kind in self._by_gvk:
            out.add(f"{group}/{version}")
            out.add(f"{group}/{version}/{kind}")
        return sorted(out)
