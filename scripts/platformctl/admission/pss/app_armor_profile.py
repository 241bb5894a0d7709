"""Overriding or disabling the default AppArmor profile is forbidden.

Restricted fields: spec.securityContext.appArmorProfile.type and the same of every container
(allowed: RuntimeDefault, Localhost, unset); annotations container.apparmor.security.beta.kubernetes.io/*
(allowed: runtime/default, localhost/*, empty).
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.helpers import pod_part
from platformctl.admission.pss.model import BASELINE, Check, VersionedCheck
from platformctl.admission.violations import Part, group

APPARMOR_ANNOTATION_CONTAINER = "container.apparmor.security.beta.kubernetes.io/"


def _allowed_annotation(value: str) -> bool:
    return not value or value == "runtime/default" or value.startswith("localhost/")


def app_armor(pod: PodTemplate) -> list[Part]:
    allowed = ("RuntimeDefault", "Localhost")
    pairs = []
    pod_type = (pod.security.get("appArmorProfile") or {}).get("type")
    for c in pod.containers:
        own = (c.security.get("appArmorProfile") or {}).get("type")
        if own is not None and own not in allowed:
            pairs.append((c.name, f"securityContext.appArmorProfile.type={own}"))
    parts = group(pairs)
    for key, value in sorted(pod.annotations.items()):
        if key.startswith(APPARMOR_ANNOTATION_CONTAINER) and not _allowed_annotation(str(value or "")):
            parts.append(Part((key[len(APPARMOR_ANNOTATION_CONTAINER) :],), f"annotation {key}={value}"))
    if pod_type is not None and pod_type not in allowed:
        parts.insert(0, pod_part(pod, f"spec.securityContext.appArmorProfile.type={pod_type}"))
    return parts


CHECK = Check(
    "appArmorProfile",
    BASELINE,
    "forbidden AppArmor profile",
    "set the AppArmor profile to RuntimeDefault or Localhost, or leave it unset",
    (VersionedCheck((1, 0), app_armor),),
)
