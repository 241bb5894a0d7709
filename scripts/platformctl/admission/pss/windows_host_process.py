"""hostProcess: Windows HostProcess containers get privileged access to the Windows node.

Restricted fields: spec.securityContext.windowsOptions.hostProcess and the same of every container.
Allowed values: unset, false.
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.helpers import pod_part
from platformctl.admission.pss.model import BASELINE, Check, VersionedCheck
from platformctl.admission.violations import Part, group


def host_process(pod: PodTemplate) -> list[Part]:
    pairs = [
        (c.name, "securityContext.windowsOptions.hostProcess=true")
        for c in pod.containers
        if (c.security.get("windowsOptions") or {}).get("hostProcess") is True
    ]
    parts = group(pairs)
    if (pod.security.get("windowsOptions") or {}).get("hostProcess") is True:
        parts.insert(0, pod_part(pod, "spec.securityContext.windowsOptions.hostProcess=true"))
    return parts


CHECK = Check(
    "windowsHostProcess",
    BASELINE,
    "hostProcess",
    "remove securityContext.windowsOptions.hostProcess (pod and containers)",
    (VersionedCheck((1, 0), host_process),),
)
