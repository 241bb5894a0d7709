"""From 1.35 the restricted level keeps requiring the default /proc masks, user namespace or not;
replaces the baseline procMount check.

Restricted field: securityContext.procMount of every container. Allowed values: unset, Default.
"""

from __future__ import annotations

from platformctl.admission.pss.model import RESTRICTED, Check, VersionedCheck
from platformctl.admission.pss.proc_mount_baseline import proc_mount

CHECK = Check(
    "procMount_restricted",
    RESTRICTED,
    "procMount",
    "remove securityContext.procMount (or set Default)",
    (VersionedCheck((1, 35), proc_mount, overrides=("procMount",)),),
)
