"""The data-apps AppProject may not deploy cluster-scoped kinds (empty clusterResourceWhitelist)."""

from __future__ import annotations

from typing import Any

from platform_policy import PlatformCheck, metadata, object_spec

DATA_APPS_PROJECT = "data-apps"


class DataAppsProjectNoClusterScopedKinds(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_16"
    TITLE = "The data-apps AppProject allows no cluster-scoped kinds"
    ENTITIES = ["AppProject"]

    def passes(self, conf: dict[str, Any]) -> bool:
        if metadata(conf).get("name") != DATA_APPS_PROJECT:
            return True
        spec = object_spec(conf)
        return not (spec.get("clusterResourceWhitelist"))


check = DataAppsProjectNoClusterScopedKinds()
