"""Containers must run as non-root users; from 1.35 a pod in its own user namespace is exempt.

Restricted fields: spec.securityContext.runAsNonRoot and the same of every container. Allowed: true;
unset at container level when the pod sets true.
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.helpers import not_in_user_namespace
from platformctl.admission.pss.model import RESTRICTED, Check, VersionedCheck
from platformctl.admission.violations import Part, group


def run_as_non_root(pod: PodTemplate) -> list[Part]:
    pod_value = pod.security.get("runAsNonRoot")
    pairs = []
    for c in pod.containers:
        own = c.security.get("runAsNonRoot")
        if own is False:
            pairs.append((c.name, "securityContext.runAsNonRoot=false"))
        elif own is None and pod_value is not True:
            pairs.append((c.name, "securityContext.runAsNonRoot unset (pod and container)"))
    parts = group(pairs)
    if pod_value is False:
        parts.insert(0, Part(pod.container_names, "spec.securityContext.runAsNonRoot=false"))
    return parts


CHECK = Check(
    "runAsNonRoot",
    RESTRICTED,
    "runAsNonRoot != true",
    "set securityContext.runAsNonRoot: true on the pod (or on every container)",
    (VersionedCheck((1, 0), run_as_non_root), VersionedCheck((1, 35), not_in_user_namespace(run_as_non_root))),
)
