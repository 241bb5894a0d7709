"""Privilege escalation (set-user-ID, set-group-ID files) must be disabled explicitly; from 1.25
Windows pods are exempt.

Restricted field: securityContext.allowPrivilegeEscalation of every container. Allowed value: false.
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.helpers import linux_only
from platformctl.admission.pss.model import RESTRICTED, Check, VersionedCheck
from platformctl.admission.violations import Part, group


def allow_privilege_escalation(pod: PodTemplate) -> list[Part]:
    pairs = []
    for c in pod.containers:
        value = c.security.get("allowPrivilegeEscalation")
        if value is not False:
            state = " unset" if value is None else f"={str(value).lower()}"
            pairs.append((c.name, f"securityContext.allowPrivilegeEscalation{state}"))
    return group(pairs)


CHECK = Check(
    "allowPrivilegeEscalation",
    RESTRICTED,
    "allowPrivilegeEscalation != false",
    "set securityContext.allowPrivilegeEscalation: false on every container",
    (
        VersionedCheck((1, 8), allow_privilege_escalation),
        VersionedCheck((1, 25), linux_only(allow_privilege_escalation)),
    ),
)
