"""Prod: every Deployment and StatefulSet is covered by a PodDisruptionBudget in its namespace."""

from __future__ import annotations

from typing import Any

from platform_policy import PlatformCheck, context, namespace, pod_template, selector_matches


class ProdPodDisruptionBudget(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_5"
    TITLE = "Prod: a PodDisruptionBudget selects the pods of every Deployment and StatefulSet"
    ENTITIES = ["Deployment", "StatefulSet"]

    def passes(self, conf: dict[str, Any]) -> bool:
        pod_labels = (pod_template(conf).get("metadata") or {}).get("labels") or {}
        budgets = [pdb for pdb in context()["pod_disruption_budgets"] if pdb["namespace"] == namespace(conf)]
        covered = any(selector_matches(pdb["selector"], pod_labels) for pdb in budgets)
        return covered


check = ProdPodDisruptionBudget()
