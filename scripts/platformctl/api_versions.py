"""The API versions a cluster serves, as Argo CD hands them to helm (`--api-versions`).

Argo CD renders a chart with the API versions the destination cluster reports through discovery,
both `group/version` and kind-qualified `group/version/Kind` (`policy/v1/PodDisruptionBudget`,
`v1/Pod`), so a chart testing `.Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget"` takes
its modern branch. helm's own default set has only `group/version` entries: without the kind-qualified
list such a chart falls back to an API the cluster no longer serves (traefik 37.3.0 does this).

Offline, the built-in list is derived from kubernetes-validate's schemas of the cluster's Kubernetes
version (`schemas.builtin_kinds`), keeping what an API server serves by default:
- stable versions (`v1`, `v2`);
- no alpha version (never on by default);
- no beta version, except the few that predate KEP-3136 (new beta APIs off by default since 1.24)
  and stayed on until their removal: `LEGACY_DEFAULT_BETAS`.
The CRD versions (mirror and rendered CRDs) come from `CrdCatalogue.api_versions()`.
"""

from __future__ import annotations

import re
from functools import cache

from platformctl.crds import CrdCatalogue
from platformctl.schemas import builtin_kinds

STABLE = re.compile(r"^v\d+$")

# group/version -> first Kubernetes minor version that no longer serves it (all on by default before).
LEGACY_DEFAULT_BETAS: dict[str, tuple[int, int]] = {
    "autoscaling/v2beta2": (1, 26),
    "flowcontrol.apiserver.k8s.io/v1beta1": (1, 26),
    "flowcontrol.apiserver.k8s.io/v1beta2": (1, 29),
    "flowcontrol.apiserver.k8s.io/v1beta3": (1, 32),
    "storage.k8s.io/v1beta1": (1, 27),  # CSIStorageCapacity; later storage v1beta1 kinds are off by default
}
LEGACY_BETA_KINDS = {"storage.k8s.io/v1beta1": frozenset({"CSIStorageCapacity"})}


def _served_by_default(group_version: str, kind: str, minor: tuple[int, int]) -> bool:
    version = group_version.rsplit("/", 1)[-1]
    if STABLE.match(version):
        return True
    removed = LEGACY_DEFAULT_BETAS.get(group_version)
    if removed is None or minor >= removed:
        return False
    kinds = LEGACY_BETA_KINDS.get(group_version)
    return kinds is None or kind in kinds


@cache
def builtin_api_versions(kubernetes_version: str) -> tuple[str, ...]:
    """`group/version` and `group/version/Kind` of every built-in API served by default (core: `v1`)."""
    major, minor = (int(part) for part in kubernetes_version.split(".")[:2])
    found: set[str] = set()
    for group, version, kind in builtin_kinds(kubernetes_version):
        group_version = f"{group}/{version}" if group else version
        if _served_by_default(group_version, kind, (major, minor)):
            found.update((group_version, f"{group_version}/{kind}"))
    return tuple(sorted(found))


def cluster_api_versions(kubernetes_version: str, crds: CrdCatalogue) -> tuple[str, ...]:
    """What Argo CD passes to helm for a cluster of this version with these CRDs installed."""
    return tuple(sorted({*builtin_api_versions(kubernetes_version), *crds.api_versions()}))
