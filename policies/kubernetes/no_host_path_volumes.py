"""No pod mounts a hostPath volume (restricted pod security; hostNetwork is checkov's CKV_K8S_19)."""

from __future__ import annotations

from typing import Any

from platform_policy import POD_KINDS, PlatformCheck, pod_spec


class NoHostPathVolumes(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_9"
    TITLE = "Pods do not mount hostPath volumes"
    ENTITIES = POD_KINDS

    def passes(self, conf: dict[str, Any]) -> bool:
        volumes = pod_spec(conf).get("volumes") or []
        uses_host = any(isinstance(volume, dict) and "hostPath" in volume for volume in volumes)
        return not uses_host


check = NoHostPathVolumes()
