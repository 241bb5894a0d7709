"""HostPath volumes are forbidden.

Restricted field: spec.volumes[*].hostPath. Allowed value: unset.
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.helpers import pod_part
from platformctl.admission.pss.model import BASELINE, Check, VersionedCheck
from platformctl.admission.violations import Part


def host_path_volumes(pod: PodTemplate) -> list[Part]:
    names = [str(v.get("name")) for v in pod.spec.get("volumes") or [] if isinstance(v, dict) and "hostPath" in v]
    if not names:
        return []
    return [pod_part(pod, "hostPath " + ", ".join(f'volume "{n}"' for n in names))]


CHECK = Check(
    "hostPathVolumes",
    BASELINE,
    "hostPath volumes",
    "replace the hostPath volume by emptyDir, a PVC or a CSI volume",
    (VersionedCheck((1, 0), host_path_volumes),),
)
