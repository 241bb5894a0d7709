"""The Pod Security Standards, evaluated as the Pod Security Admission does.

`checks_for(level, version)` is the list of checks a namespace enforcing `level` at policy `version`
runs: every baseline check (at its implementation for that version), plus at restricted every
restricted check, minus the baseline checks a restricted one overrides.
"""

from __future__ import annotations

from platformctl.admission.pss import baseline, restricted
from platformctl.admission.pss.model import BASELINE, RESTRICTED, Check, CheckPod, Version

ALL_CHECKS: tuple[Check, ...] = (*baseline.CHECKS, *restricted.CHECKS)


def checks_for(level: str, version: Version) -> list[tuple[Check, CheckPod]]:
    levels = {"baseline": (BASELINE,), "restricted": (BASELINE, RESTRICTED)}.get(level, ())
    active = [(check, impl) for check in ALL_CHECKS if check.level in levels and (impl := check.at(version))]
    overridden = {check_id for _, impl in active for check_id in impl.overrides}
    return [(check, impl.check_pod) for check, impl in active if check.id not in overridden]


__all__ = ["ALL_CHECKS", "checks_for"]
