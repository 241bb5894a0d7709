"""The data-apps AppProject may not deploy cluster-scoped kinds (empty clusterResourceWhitelist)."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from platform_policy import clean, metadata

DATA_APPS_PROJECT = "data-apps"


class DataAppsProjectNoClusterScopedKinds(BaseK8Check):
    def __init__(self) -> None:
        super().__init__(
            name="The data-apps AppProject allows no cluster-scoped kinds",
            id="CKV_PLATFORM_16",
            categories=[CheckCategories.KUBERNETES],
            supported_entities=["AppProject"],
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        if metadata(conf).get("name") != DATA_APPS_PROJECT:
            return CheckResult.PASSED
        spec = clean(conf.get("spec")) if isinstance(conf.get("spec"), dict) else {}
        return CheckResult.FAILED if spec.get("clusterResourceWhitelist") else CheckResult.PASSED


check = DataAppsProjectNoClusterScopedKinds()
