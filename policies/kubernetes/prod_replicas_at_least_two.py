"""Prod: a Deployment or StatefulSet never runs fewer than two replicas.

The floor is the HorizontalPodAutoscaler's minReplicas when one scales the workload (charts then omit
`replicas`, and the HPA owns the count), otherwise `spec.replicas` (Kubernetes defaults it to 1).
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from platform_policy import clean, context, metadata, namespace

MINIMUM_REPLICAS = 2


class ProdReplicasAtLeastTwo(BaseK8Check):
    def __init__(self) -> None:
        super().__init__(
            name="Prod: Deployments and StatefulSets run at least 2 replicas (HPA minReplicas or spec.replicas)",
            id="CKV_PLATFORM_4",
            categories=[CheckCategories.KUBERNETES],
            supported_entities=["Deployment", "StatefulSet"],
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        name, kind = metadata(conf).get("name"), conf.get("kind")
        autoscaler = next(
            (
                hpa
                for hpa in context()["horizontal_pod_autoscalers"]
                if hpa["namespace"] == namespace(conf) and hpa["target_kind"] == kind and hpa["target_name"] == name
            ),
            None,
        )
        spec = clean(conf.get("spec")) if isinstance(conf.get("spec"), dict) else {}
        floor = autoscaler["min_replicas"] if autoscaler else spec.get("replicas", 1)
        return CheckResult.PASSED if isinstance(floor, int) and floor >= MINIMUM_REPLICAS else CheckResult.FAILED


check = ProdReplicasAtLeastTwo()
