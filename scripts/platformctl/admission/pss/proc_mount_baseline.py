"""The default /proc masks are required, unless (from 1.35) the pod runs in its own user namespace.

Restricted field: securityContext.procMount of every container. Allowed values: unset, Default.
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.model import BASELINE, Check, VersionedCheck
from platformctl.admission.violations import Part, group


def proc_mount(pod: PodTemplate) -> list[Part]:
    return group(
        (c.name, f"securityContext.procMount={c.security['procMount']}")
        for c in pod.containers
        if c.security.get("procMount") not in (None, "Default")
    )


def proc_mount_1_35(pod: PodTemplate) -> list[Part]:
    """From 1.35 a pod in its own user namespace (hostUsers: false) may unmask /proc."""
    return [] if pod.user_namespace else proc_mount(pod)


CHECK = Check(
    "procMount",
    BASELINE,
    "procMount",
    "remove securityContext.procMount (or set Default)",
    (VersionedCheck((1, 0), proc_mount), VersionedCheck((1, 35), proc_mount_1_35)),
)
