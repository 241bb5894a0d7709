"""Containers must drop ALL capabilities and may add only NET_BIND_SERVICE; replaces the baseline
capabilities check; from 1.25 Windows pods are exempt.

Restricted fields: securityContext.capabilities.drop (must include "ALL", exactly) and .add of every
container.
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.helpers import linux_only
from platformctl.admission.pss.model import RESTRICTED, Check, VersionedCheck
from platformctl.admission.violations import Part, group


def capabilities_restricted(pod: PodTemplate) -> list[Part]:
    pairs = []
    for c in pod.containers:
        capabilities = c.security.get("capabilities") or {}
        if "ALL" not in [str(cap) for cap in capabilities.get("drop") or []]:
            pairs.append((c.name, 'securityContext.capabilities.drop without "ALL"'))
        added = [str(cap) for cap in capabilities.get("add") or [] if cap != "NET_BIND_SERVICE"]
        if added:
            pairs.append((c.name, f"securityContext.capabilities.add {', '.join(added)}"))
    return group(pairs)


CHECK = Check(
    "capabilities_restricted",
    RESTRICTED,
    "unrestricted capabilities",
    'set securityContext.capabilities.drop: ["ALL"] on every container; add at most NET_BIND_SERVICE',
    (
        VersionedCheck((1, 22), capabilities_restricted, overrides=("capabilities_baseline",)),
        VersionedCheck((1, 25), linux_only(capabilities_restricted), overrides=("capabilities_baseline",)),
    ),
)
