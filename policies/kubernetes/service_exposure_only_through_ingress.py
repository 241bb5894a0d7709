"""No NodePort Service anywhere; a LoadBalancer Service only in the ingress layer's namespaces."""

from __future__ import annotations

from typing import Any

from platform_policy import PlatformCheck, context, namespace


class ServiceExposureOnlyThroughIngress(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_10"
    TITLE = "No NodePort Service; LoadBalancer Services only in the ingress layer"
    ENTITIES = ["Service"]

    def passes(self, conf: dict[str, Any]) -> bool:
        spec = conf.get("spec") if isinstance(conf.get("spec"), dict) else {}
        service_type = spec.get("type") or "ClusterIP"
        if service_type == "LoadBalancer":
            return namespace(conf) in context()["ingress_namespaces"]
        return service_type != "NodePort"


check = ServiceExposureOnlyThroughIngress()
