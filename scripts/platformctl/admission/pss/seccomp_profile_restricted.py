"""A seccomp profile must be set, RuntimeDefault or Localhost: on the pod, or on every container;
replaces the baseline seccomp check; from 1.25 Windows pods are exempt.

Restricted fields: securityContext.seccompProfile.type of the pod and of every container.
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.helpers import linux_only, seccomp_type
from platformctl.admission.pss.model import RESTRICTED, Check, VersionedCheck
from platformctl.admission.violations import Part, group


def seccomp_restricted(pod: PodTemplate) -> list[Part]:
    allowed = ("RuntimeDefault", "Localhost")
    pod_type = seccomp_type(pod.security)
    pairs = []
    for c in pod.containers:
        own = seccomp_type(c.security)
        if own is not None and own not in allowed:
            pairs.append((c.name, f"securityContext.seccompProfile.type={own}"))
        elif own is None and pod_type not in allowed:
            pairs.append((c.name, "securityContext.seccompProfile.type unset (pod and container)"))
    parts = group(pairs)
    if pod_type is not None and pod_type not in allowed:
        parts.insert(0, Part(pod.container_names, f"spec.securityContext.seccompProfile.type={pod_type}"))
    return parts


CHECK = Check(
    "seccompProfile_restricted",
    RESTRICTED,
    "seccompProfile",
    "set securityContext.seccompProfile.type: RuntimeDefault on the pod (or on every container)",
    (
        VersionedCheck((1, 19), seccomp_restricted, overrides=("seccompProfile_baseline",)),
        VersionedCheck((1, 25), linux_only(seccomp_restricted), overrides=("seccompProfile_baseline",)),
    ),
)
