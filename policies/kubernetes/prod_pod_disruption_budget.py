"""Prod: every Deployment and StatefulSet is covered by a PodDisruptionBudget in its namespace."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from platform_policy import context, namespace, pod_template, selector_matches


class ProdPodDisruptionBudget(BaseK8Check):
    def __init__(self) -> None:
        super().__init__(
            name="Prod: a PodDisruptionBudget selects the pods of every Deployment and StatefulSet",
            id="CKV_PLATFORM_5",
            categories=[CheckCategories.KUBERNETES],
            supported_entities=["Deployment", "StatefulSet"],
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        pod_labels = (pod_template(conf).get("metadata") or {}).get("labels") or {}
        budgets = [pdb for pdb in context()["pod_disruption_budgets"] if pdb["namespace"] == namespace(conf)]
        covered = any(selector_matches(pdb["selector"], pod_labels) for pdb in budgets)
        return CheckResult.PASSED if covered else CheckResult.FAILED


check = ProdPodDisruptionBudget()
