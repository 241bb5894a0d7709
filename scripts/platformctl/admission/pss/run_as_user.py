"""Containers must not run as uid 0; from 1.35 a pod in its own user namespace is exempt.

Restricted fields: spec.securityContext.runAsUser and the same of every container. Allowed: non-zero,
unset.
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.helpers import not_in_user_namespace
from platformctl.admission.pss.model import RESTRICTED, Check, VersionedCheck
from platformctl.admission.violations import Part, group


def run_as_user(pod: PodTemplate) -> list[Part]:
    parts = group((c.name, "securityContext.runAsUser=0") for c in pod.containers if c.security.get("runAsUser") == 0)
    if pod.security.get("runAsUser") == 0:
        parts.insert(0, Part(pod.container_names, "spec.securityContext.runAsUser=0"))
    return parts


CHECK = Check(
    "runAsUser",
    RESTRICTED,
    "runAsUser=0",
    "run as a non-zero uid (securityContext.runAsUser) and let fsGroup own the volumes instead of a root chown",
    (VersionedCheck((1, 23), run_as_user), VersionedCheck((1, 35), not_in_user_namespace(run_as_user))),
)
