"""AppProjects name their source repositories and destinations: no `*` anywhere in them."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from platform_policy import clean


def has_wildcard(value: Any) -> bool:
    return isinstance(value, str) and "*" in value


class AppProjectNoWildcards(BaseK8Check):
    def __init__(self) -> None:
        super().__init__(
            name="AppProjects have no wildcard source repositories or destinations",
            id="CKV_PLATFORM_15",
            categories=[CheckCategories.KUBERNETES],
            supported_entities=["AppProject"],
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        spec = clean(conf.get("spec")) if isinstance(conf.get("spec"), dict) else {}
        repos = spec.get("sourceRepos") or []
        destinations = [d for d in spec.get("destinations") or [] if isinstance(d, dict)]
        if not repos or not destinations:
            return CheckResult.FAILED
        wildcard = any(has_wildcard(repo) for repo in repos) or any(
            has_wildcard(d.get(key)) for d in destinations for key in ("server", "name", "namespace")
        )
        return CheckResult.FAILED if wildcard else CheckResult.PASSED


check = AppProjectNoWildcards()
