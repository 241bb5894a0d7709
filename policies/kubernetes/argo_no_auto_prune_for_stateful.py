"""Stateful components (`stateful: true` in platform.yaml) never sync with automated prune."""

from __future__ import annotations

from typing import Any

from platform_policy import PlatformCheck, context, metadata, object_spec


class ArgoNoAutoPruneForStateful(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_14"
    TITLE = "Argo CD Applications of stateful components have automated prune disabled"
    ENTITIES = ["Application"]

    def passes(self, conf: dict[str, Any]) -> bool:
        if metadata(conf).get("name") not in context()["stateful_applications"]:
            return True
        spec = object_spec(conf)
        automated = (spec.get("syncPolicy") or {}).get("automated")
        prunes = isinstance(automated, dict) and automated.get("prune") is True
        return not prunes


check = ArgoNoAutoPruneForStateful()
