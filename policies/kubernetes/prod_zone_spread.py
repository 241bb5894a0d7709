"""Prod: Deployments and StatefulSets spread their pods across availability zones."""

from __future__ import annotations

from typing import Any

from platform_policy import ZONE_TOPOLOGY_KEY, PlatformCheck, pod_spec


class ProdZoneSpread(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_7"
    TITLE = "Prod: pods are spread across zones (topologySpreadConstraints on topology.kubernetes.io/zone)"
    ENTITIES = ["Deployment", "StatefulSet"]

    def passes(self, conf: dict[str, Any]) -> bool:
        constraints = pod_spec(conf).get("topologySpreadConstraints") or []
        spread = any(c.get("topologyKey") == ZONE_TOPOLOGY_KEY for c in constraints if isinstance(c, dict))
        return spread


check = ProdZoneSpread()
