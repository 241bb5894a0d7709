"""Prod: every data-app Deployment (a namespace of the data-apps AppProject) has a HorizontalPodAutoscaler."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from platform_policy import context, metadata, namespace


class ProdDataAppAutoscaler(BaseK8Check):
    def __init__(self) -> None:
        super().__init__(
            name="Prod: every data-app Deployment is scaled by a HorizontalPodAutoscaler",
            id="CKV_PLATFORM_6",
            categories=[CheckCategories.KUBERNETES],
            supported_entities=["Deployment"],
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        facts = context()
        if namespace(conf) not in facts["data_app_namespaces"]:
            return CheckResult.PASSED
        name = metadata(conf).get("name")
        scaled = any(
            hpa["namespace"] == namespace(conf) and hpa["target_kind"] == "Deployment" and hpa["target_name"] == name
            for hpa in facts["horizontal_pod_autoscalers"]
        )
        return CheckResult.PASSED if scaled else CheckResult.FAILED


check = ProdDataAppAutoscaler()
