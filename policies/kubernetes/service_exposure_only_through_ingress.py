"""No NodePort Service anywhere; a LoadBalancer Service only in the ingress layer's namespaces."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from platform_policy import context, namespace


class ServiceExposureOnlyThroughIngress(BaseK8Check):
    def __init__(self) -> None:
        super().__init__(
            name="No NodePort Service; LoadBalancer Services only in the ingress layer",
            id="CKV_PLATFORM_10",
            categories=[CheckCategories.KUBERNETES],
            supported_entities=["Service"],
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        spec = conf.get("spec") if isinstance(conf.get("spec"), dict) else {}
        service_type = spec.get("type") or "ClusterIP"
        if service_type == "NodePort":
            return CheckResult.FAILED
        if service_type == "LoadBalancer" and namespace(conf) not in context()["ingress_namespaces"]:
            return CheckResult.FAILED
        return CheckResult.PASSED


check = ServiceExposureOnlyThroughIngress()
