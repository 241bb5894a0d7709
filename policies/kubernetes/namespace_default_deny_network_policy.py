"""Every Namespace we create holds a default-deny NetworkPolicy (all pods, ingress denied by default)."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from platform_policy import context, metadata


class NamespaceDefaultDenyNetworkPolicy(BaseK8Check):
    def __init__(self) -> None:
        super().__init__(
            name="Every Namespace has a default-deny NetworkPolicy",
            id="CKV_PLATFORM_8",
            categories=[CheckCategories.KUBERNETES],
            supported_entities=["Namespace"],
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        name = metadata(conf).get("name")
        denied = any(policy["namespace"] == name and policy["default_deny"] for policy in context()["network_policies"])
        return CheckResult.PASSED if denied else CheckResult.FAILED


check = NamespaceDefaultDenyNetworkPolicy()
