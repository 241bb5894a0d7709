"""Privileged containers disable most security mechanisms.

Restricted field: securityContext.privileged of every container. Allowed values: unset, false.
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.model import BASELINE, Check, VersionedCheck
from platformctl.admission.violations import Part, group


def privileged(pod: PodTemplate) -> list[Part]:
    return group((c.name, "securityContext.privileged=true") for c in pod.containers if c.security.get("privileged"))


CHECK = Check(
    "privileged",
    BASELINE,
    "privileged",
    "remove securityContext.privileged: true",
    (VersionedCheck((1, 0), privileged),),
)
