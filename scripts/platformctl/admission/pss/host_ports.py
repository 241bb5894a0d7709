"""Host ports are forbidden (a hostPort that Kubernetes defaults from hostNetwork is the hostNetwork
finding's consequence and is not reported apart).

Restricted field: ports[*].hostPort of every container. Allowed values: unset, 0.
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.model import BASELINE, Check, VersionedCheck
from platformctl.admission.violations import Part, group


def host_ports(pod: PodTemplate) -> list[Part]:
    pairs = []
    for c in pod.containers:
        ports = [str(p["hostPort"]) for p in c.spec.get("ports") or [] if isinstance(p, dict) and p.get("hostPort")]
        if ports:
            pairs.append((c.name, f"ports[].hostPort {', '.join(ports)}"))
    return group(pairs)


CHECK = Check(
    "hostPorts",
    BASELINE,
    "hostPort",
    "remove ports[].hostPort (expose the port through a Service)",
    (VersionedCheck((1, 0), host_ports),),
)
