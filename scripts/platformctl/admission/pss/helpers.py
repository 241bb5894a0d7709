"""Field readers and version wrappers shared by the Pod Security checks."""

from __future__ import annotations

from typing import Any

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.model import CheckPod
from platformctl.admission.violations import Part


def pod_part(pod: PodTemplate, problem: str) -> Part:
    """A pod-level problem: every container of the pod inherits it."""
    return Part(pod.container_names, problem)


def seccomp_type(security: dict[str, Any]) -> str | None:
    profile = security.get("seccompProfile")
    return str(profile.get("type")) if isinstance(profile, dict) and profile.get("type") is not None else None


def linux_only(check: CheckPod) -> CheckPod:
    """`check`, skipped for Windows pods (spec.os.name: windows), as the restricted checks are from 1.25."""

    def checked(pod: PodTemplate) -> list[Part]:
        return [] if pod.windows else check(pod)

    return checked


def not_in_user_namespace(check: CheckPod) -> CheckPod:
    """`check`, relaxed for pods with hostUsers: false, as uid 0 and /proc checks are from 1.35."""

    def checked(pod: PodTemplate) -> list[Part]:
        return [] if pod.user_namespace else check(pod)

    return checked
