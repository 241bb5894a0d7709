"""Every Namespace we create holds a default-deny NetworkPolicy (all pods, ingress denied by default)."""

from __future__ import annotations

from typing import Any

from platform_policy import PlatformCheck, context, metadata


class NamespaceDefaultDenyNetworkPolicy(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_8"
    TITLE = "Every Namespace has a default-deny NetworkPolicy"
    ENTITIES = ["Namespace"]

    def passes(self, conf: dict[str, Any]) -> bool:
        name = metadata(conf).get("name")
        denied = any(policy["namespace"] == name and policy["default_deny"] for policy in context()["network_policies"])
        return denied


check = NamespaceDefaultDenyNetworkPolicy()
