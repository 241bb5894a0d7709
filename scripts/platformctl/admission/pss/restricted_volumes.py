"""Only volume types that cannot reach the node or a remote system directly are allowed (inline
volumes of other types go through a PersistentVolume instead); replaces the baseline hostPath check.

Restricted field: spec.volumes[*]. Allowed types: those below (a volume without a type is defaulted
to emptyDir).
"""

from __future__ import annotations

from platformctl.admission.pods import PodTemplate
from platformctl.admission.pss.model import RESTRICTED, Check, VersionedCheck
from platformctl.admission.violations import Part

ALLOWED_VOLUME_TYPES = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "image",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)


def restricted_volumes(pod: PodTemplate) -> list[Part]:
    bad = []
    for volume in pod.spec.get("volumes") or []:
        if not isinstance(volume, dict):
            continue
        types = sorted(set(volume) - {"name"})
        if types and not ALLOWED_VOLUME_TYPES & set(types):
            bad.append(f'volume "{volume.get("name")}" of type {", ".join(types) or "unknown"}')
    return [Part(pod.container_names, ", ".join(bad))] if bad else []


CHECK = Check(
    "restrictedVolumes",
    RESTRICTED,
    "restricted volume types",
    "use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret",
    (VersionedCheck((1, 0), restricted_volumes, overrides=("hostPathVolumes",)),),
)
