"""From 1.34 probes and lifecycle handlers may not name a host (they would reach another address
from the node).

Restricted fields: (liveness|readiness|startup)Probe.(httpGet|tcpSocket).host and
lifecycle.(postStart|preStop).(httpGet|tcpSocket).host of every container. Allowed values: unset, "".
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.model import BASELINE, Check, VersionedCheck
from platformctl.admission.violations import Part, group


def probe_hosts(pod: PodTemplate) -> list[Part]:
    pairs = []
    for c in pod.containers:
        handlers = {f"{probe}": c.spec.get(probe) for probe in ("livenessProbe", "readinessProbe", "startupProbe")}
        lifecycle = c.spec.get("lifecycle") or {}
        handlers.update({f"lifecycle.{hook}": lifecycle.get(hook) for hook in ("postStart", "preStop")})
        for path, handler in handlers.items():
            for action in ("httpGet", "tcpSocket"):
                host = ((handler or {}).get(action) or {}).get("host")
                if host:
                    pairs.append((c.name, f"{path}.{action}.host={host}"))
    return group(pairs)


CHECK = Check(
    "hostProbesAndHostLifecycle",
    BASELINE,
    "probe or lifecycle host",
    "remove the host field of the probe or lifecycle handler (the pod's IP is used)",
    (VersionedCheck((1, 34), probe_hosts),),
)
