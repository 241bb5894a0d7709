"""Prod: every data-app Deployment (a namespace of the data-apps AppProject) has a HorizontalPodAutoscaler."""

from __future__ import annotations

from typing import Any

from platform_policy import PlatformCheck, context, metadata, namespace


class ProdDataAppAutoscaler(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_6"
    TITLE = "Prod: every data-app Deployment is scaled by a HorizontalPodAutoscaler"
    ENTITIES = ["Deployment"]

    def passes(self, conf: dict[str, Any]) -> bool:
        facts = context()
        if namespace(conf) not in facts["data_app_namespaces"]:
            return True
        name = metadata(conf).get("name")
        scaled = any(
            hpa["namespace"] == namespace(conf) and hpa["target_kind"] == "Deployment" and hpa["target_name"] == name
            for hpa in facts["horizontal_pod_autoscalers"]
        )
        return scaled


check = ProdDataAppAutoscaler()
