"""Adding NET_RAW or capabilities beyond the container runtime's default set is forbidden.

Restricted field: securityContext.capabilities.add of every container. Allowed values: the default
set below.
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.model import BASELINE, Check, VersionedCheck
from platformctl.admission.violations import Part, group

DEFAULT_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)


def _added(container_security: dict) -> list[str]:
    return [str(cap) for cap in (container_security.get("capabilities") or {}).get("add") or []]


def capabilities(pod: PodTemplate) -> list[Part]:
    pairs = []
    for c in pod.containers:
        extra = [cap for cap in _added(c.security) if cap not in DEFAULT_CAPABILITIES]
        if extra:
            pairs.append((c.name, f"securityContext.capabilities.add {', '.join(extra)}"))
    return group(pairs)


CHECK = Check(
    "capabilities_baseline",
    BASELINE,
    "non-default capabilities",
    "add only default capabilities (securityContext.capabilities.add)",
    (VersionedCheck((1, 0), capabilities),),
)
