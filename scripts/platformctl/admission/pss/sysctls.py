"""Only the namespaced, isolated (safe) sysctls are allowed; the safe set grew in 1.27, 1.29 and 1.32.

Restricted field: spec.securityContext.sysctls[*].name.
"""

from __future__ import annotations

from functools import partial

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.helpers import pod_part
from platformctl.admission.pss.model import BASELINE, Check, VersionedCheck
from platformctl.admission.violations import Part

SYSCTLS_1_0 = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    }
)
SYSCTLS_1_27 = SYSCTLS_1_0 | {"net.ipv4.ip_local_reserved_ports"}
SYSCTLS_1_29 = SYSCTLS_1_27 | {
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
SYSCTLS_1_32 = SYSCTLS_1_29 | {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}


def _sysctls(pod: PodTemplate, allowed: frozenset[str]) -> list[Part]:
    names = [str(s.get("name")) for s in pod.security.get("sysctls") or [] if isinstance(s, dict)]
    bad = [name for name in names if name not in allowed]
    return [pod_part(pod, f"spec.securityContext.sysctls {', '.join(bad)}")] if bad else []


CHECK = Check(
    "sysctls",
    BASELINE,
    "forbidden sysctls",
    "keep to the safe sysctls of the Pod Security Standards in spec.securityContext.sysctls",
    (
        VersionedCheck((1, 0), partial(_sysctls, allowed=SYSCTLS_1_0)),
        VersionedCheck((1, 27), partial(_sysctls, allowed=SYSCTLS_1_27)),
        VersionedCheck((1, 29), partial(_sysctls, allowed=SYSCTLS_1_29)),
        VersionedCheck((1, 32), partial(_sysctls, allowed=SYSCTLS_1_32)),
    ),
)
