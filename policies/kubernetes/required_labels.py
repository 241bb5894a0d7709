"""Workloads and namespaces carry the owner, data-classification and app.kubernetes.io/name labels."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from platform_policy import REQUIRED_LABELS, WORKLOAD_KINDS, labels


class RequiredLabels(BaseK8Check):
    def __init__(self) -> None:
        super().__init__(
            name="Workloads and namespaces carry owner, data-classification and app.kubernetes.io/name labels",
            id="CKV_PLATFORM_1",
            categories=[CheckCategories.KUBERNETES],
            supported_entities=["Namespace", *WORKLOAD_KINDS],
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        present = labels(conf)
        missing = [label for label in REQUIRED_LABELS if not str(present.get(label) or "").strip()]
        return CheckResult.FAILED if missing else CheckResult.PASSED


check = RequiredLabels()
