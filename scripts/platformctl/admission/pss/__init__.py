"""The Pod Security Standards, evaluated as the Pod Security Admission does.

One module per check, as Kubernetes' pod-security-admission (`policy/check_*.go`): the rule in words,
its implementation per policy version, and a `CHECK` with id, level, reason, fix and versions.
`checks_for(level, version)` is what a namespace enforcing `level` at policy `version` runs: every
baseline check (at its implementation for that version), plus at restricted every restricted check,
minus the baseline checks a restricted one overrides.
"""

from __future__ import annotations

from platformctl.admission.pss import (
    allow_privilege_escalation,
    app_armor_profile,
    capabilities_baseline,
    capabilities_restricted,
    host_namespaces,
    host_path_volumes,
    host_ports,
    host_probes_and_lifecycle,
    privileged,
    proc_mount_baseline,
    proc_mount_restricted,
    restricted_volumes,
    run_as_non_root,
    run_as_user,
    se_linux_options,
    seccomp_profile_baseline,
    seccomp_profile_restricted,
    sysctls,
    windows_host_process,
)
from platformctl.admission.pss.model import BASELINE, RESTRICTED, Check, CheckPod, Version

ALL_CHECKS: tuple[Check, ...] = tuple(
    module.CHECK
    for module in (
        windows_host_process,
        host_namespaces,
        privileged,
        capabilities_baseline,
        host_path_volumes,
        host_ports,
        app_armor_profile,
        se_linux_options,
        proc_mount_baseline,
        seccomp_profile_baseline,
        sysctls,
        host_probes_and_lifecycle,
        restricted_volumes,
        allow_privilege_escalation,
        run_as_non_root,
        run_as_user,
        seccomp_profile_restricted,
        capabilities_restricted,
        proc_mount_restricted,
    )
)


def checks_for(level: str, version: Version) -> list[tuple[Check, CheckPod]]:
    levels = {"baseline": (BASELINE,), "restricted": (BASELINE, RESTRICTED)}.get(level, ())
    active = [(check, impl) for check in ALL_CHECKS if check.level in levels and (impl := check.at(version))]
    overridden = {check_id for _, impl in active for check_id in impl.overrides}
    return [(check, impl.check_pod) for check, impl in active if check.id not in overridden]


__all__ = ["ALL_CHECKS", "checks_for"]
