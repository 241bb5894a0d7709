"""A Pod Security Standards check as data: id, level, the reason PSA prints, the fix, and its versions.

Shaped like Kubernetes' pod-security-admission (`policy/check_*.go`): a check has one implementation
per policy version it changed in (`minimum`), and a restricted check may replace baseline checks
(`overrides`) so one rule is reported once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from platformctl.admission.pods import PodTemplate
from platformctl.admission.violations import Part

BASELINE = "baseline"
RESTRICTED = "restricted"
Version = tuple[int, int]
CheckPod = Callable[[PodTemplate], list[Part]]


@dataclass(frozen=True)
class VersionedCheck:
    minimum: Version
    check_pod: CheckPod
    overrides: tuple[str, ...] = ()  # ids of baseline checks this one replaces at restricted


@dataclass(frozen=True)
class Check:
    id: str
    level: str
    reason: str  # PSA's ForbiddenReason, e.g. "host namespaces"
    fix: str
    versions: tuple[VersionedCheck, ...]

    def at(self, version: Version) -> VersionedCheck | None:
        """The implementation in force at policy `version` (None before the check existed)."""
        usable = [v for v in self.versions if v.minimum <= version]
        return max(usable, key=lambda v: v.minimum) if usable else None
