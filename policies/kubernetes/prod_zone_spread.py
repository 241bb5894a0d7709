"""Prod: Deployments and StatefulSets spread their pods across availability zones."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from platform_policy import ZONE_TOPOLOGY_KEY, pod_spec


class ProdZoneSpread(BaseK8Check):
    def __init__(self) -> None:
        super().__init__(
            name="Prod: pods are spread across zones (topologySpreadConstraints on topology.kubernetes.io/zone)",
            id="CKV_PLATFORM_7",
            categories=[CheckCategories.KUBERNETES],
            supported_entities=["Deployment", "StatefulSet"],
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        constraints = pod_spec(conf).get("topologySpreadConstraints") or []
        spread = any(c.get("topologyKey") == ZONE_TOPOLOGY_KEY for c in constraints if isinstance(c, dict))
        return CheckResult.PASSED if spread else CheckResult.FAILED


check = ProdZoneSpread()
