"""Sharing the host network, PID and IPC namespaces is forbidden.

Restricted fields: spec.hostNetwork, spec.hostPID, spec.hostIPC. Allowed values: unset, false.
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.helpers import pod_part
from platformctl.admission.pss.model import BASELINE, Check, VersionedCheck
from platformctl.admission.violations import Part


def host_namespaces(pod: PodTemplate) -> list[Part]:
    shared = [f"spec.{field}=true" for field in ("hostNetwork", "hostPID", "hostIPC") if pod.spec.get(field) is True]
    return [pod_part(pod, ", ".join(shared))] if shared else []


CHECK = Check(
    "hostNamespaces",
    BASELINE,
    "host namespaces",
    "remove hostNetwork/hostPID/hostIPC from the pod, or run it in a namespace that allows them",
    (VersionedCheck((1, 0), host_namespaces),),
)
