"""No Secret object carries data in Git: secrets come from Key Vault through ExternalSecret objects."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from platform_policy import clean


class NoSecretDataInGit(BaseK8Check):
    def __init__(self) -> None:
        super().__init__(
            name="No Secret with data or stringData in Git (use an ExternalSecret)",
            id="CKV_PLATFORM_11",
            categories=[CheckCategories.KUBERNETES],
            supported_entities=["Secret"],
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        carries_data = bool(clean(conf.get("data"))) or bool(clean(conf.get("stringData")))
        return CheckResult.FAILED if carries_data else CheckResult.PASSED


check = NoSecretDataInGit()
