"""No pod mounts a hostPath volume (restricted pod security; hostNetwork is checkov's CKV_K8S_19)."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from platform_policy import POD_KINDS, pod_spec


class NoHostPathVolumes(BaseK8Check):
    def __init__(self) -> None:
        super().__init__(
            name="Pods do not mount hostPath volumes",
            id="CKV_PLATFORM_9",
            categories=[CheckCategories.KUBERNETES],
            supported_entities=list(POD_KINDS),
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        volumes = pod_spec(conf).get("volumes") or []
        uses_host = any(isinstance(volume, dict) and "hostPath" in volume for volume in volumes)
        return CheckResult.FAILED if uses_host else CheckResult.PASSED


check = NoHostPathVolumes()
