"""A seccomp profile, when set, is RuntimeDefault or Localhost (never Unconfined).

Before 1.19: annotations seccomp.security.alpha.kubernetes.io/pod and
container.seccomp.security.alpha.kubernetes.io/* (runtime/default, docker/default, localhost/*).
From 1.19: securityContext.seccompProfile.type of the pod and of every container.
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.helpers import pod_part, seccomp_type
from platformctl.admission.pss.model import BASELINE, Check, VersionedCheck
from platformctl.admission.violations import Part, group

SECCOMP_ANNOTATION_POD = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_ANNOTATION_CONTAINER = "container.seccomp.security.alpha.kubernetes.io/"


def _bad_seccomp_annotation(value: str) -> bool:
    return value not in ("runtime/default", "docker/default") and not value.startswith("localhost/")


def seccomp_1_0(pod: PodTemplate) -> list[Part]:
    pairs = []
    pod_value = str(pod.annotations.get(SECCOMP_ANNOTATION_POD, ""))
    for c in pod.containers:
        value = str(pod.annotations.get(SECCOMP_ANNOTATION_CONTAINER + c.name, ""))
        if value and _bad_seccomp_annotation(value):
            pairs.append((c.name, f"annotation {SECCOMP_ANNOTATION_CONTAINER}{c.name}={value}"))
    parts = group(pairs)
    if pod_value and _bad_seccomp_annotation(pod_value):
        parts.insert(0, pod_part(pod, f"annotation {SECCOMP_ANNOTATION_POD}={pod_value}"))
    return parts


def seccomp_1_19(pod: PodTemplate) -> list[Part]:
    allowed = ("RuntimeDefault", "Localhost")
    pairs = [
        (c.name, f"securityContext.seccompProfile.type={seccomp_type(c.security)}")
        for c in pod.containers
        if seccomp_type(c.security) not in (None, *allowed)
    ]
    parts = group(pairs)
    if seccomp_type(pod.security) not in (None, *allowed):
        parts.insert(0, pod_part(pod, f"spec.securityContext.seccompProfile.type={seccomp_type(pod.security)}"))
    return parts


CHECK = Check(
    "seccompProfile_baseline",
    BASELINE,
    "seccompProfile",
    "set securityContext.seccompProfile.type to RuntimeDefault or Localhost (never Unconfined)",
    (VersionedCheck((1, 0), seccomp_1_0), VersionedCheck((1, 19), seccomp_1_19)),
)
