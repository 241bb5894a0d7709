"""Setting the SELinux type is restricted; a custom SELinux user or role is forbidden.

Restricted fields: seLinuxOptions.type/user/role of the pod and of every container. Allowed types:
unset, container_t, container_init_t, container_kvm_t, and from 1.31 container_engine_t.
"""

from __future__ import annotations

from functools import partial

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.helpers import pod_part
from platformctl.admission.pss.model import BASELINE, Check, VersionedCheck
from platformctl.admission.violations import Part, group

SELINUX_TYPES_1_0 = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
SELINUX_TYPES_1_31 = SELINUX_TYPES_1_0 | {"container_engine_t"}


def _selinux_problem(options: dict, allowed_types: frozenset[str], prefix: str) -> str:
    problems = []
    if str(options.get("type") or "") not in allowed_types:
        problems.append(f"{prefix}seLinuxOptions.type={options.get('type')}")
    problems += [f"{prefix}seLinuxOptions.{key} set" for key in ("user", "role") if options.get(key)]
    return ", ".join(problems)


def _selinux(pod: PodTemplate, allowed_types: frozenset[str]) -> list[Part]:
    pairs = []
    for c in pod.containers:
        problem = _selinux_problem(c.security.get("seLinuxOptions") or {}, allowed_types, "securityContext.")
        if problem:
            pairs.append((c.name, problem))
    parts = group(pairs)
    pod_problem = _selinux_problem(pod.security.get("seLinuxOptions") or {}, allowed_types, "spec.securityContext.")
    if pod_problem:
        parts.insert(0, pod_part(pod, pod_problem))
    return parts


CHECK = Check(
    "seLinuxOptions",
    BASELINE,
    "seLinuxOptions",
    "remove seLinuxOptions user/role and use a container_* type (or none)",
    (
        VersionedCheck((1, 0), partial(_selinux, allowed_types=SELINUX_TYPES_1_0)),
        VersionedCheck((1, 31), partial(_selinux, allowed_types=SELINUX_TYPES_1_31)),
    ),
)
