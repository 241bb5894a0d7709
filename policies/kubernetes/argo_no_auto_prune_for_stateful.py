"""Stateful components (`stateful: true` in platform.yaml) never sync with automated prune."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from platform_policy import clean, context, metadata


class ArgoNoAutoPruneForStateful(BaseK8Check):
    def __init__(self) -> None:
        super().__init__(
            name="Argo CD Applications of stateful components have automated prune disabled",
            id="CKV_PLATFORM_14",
            categories=[CheckCategories.KUBERNETES],
            supported_entities=["Application"],
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        if metadata(conf).get("name") not in context()["stateful_applications"]:
            return CheckResult.PASSED
        spec = clean(conf.get("spec")) if isinstance(conf.get("spec"), dict) else {}
        automated = (spec.get("syncPolicy") or {}).get("automated")
        prunes = isinstance(automated, dict) and automated.get("prune") is True
        return CheckResult.FAILED if prunes else CheckResult.PASSED


check = ArgoNoAutoPruneForStateful()
