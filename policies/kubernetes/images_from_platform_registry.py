"""Every container image comes from the platform's Azure Container Registry (cluster.yaml)."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from platform_policy import POD_KINDS, containers, context


def registry_of(image: str) -> str:
    """The registry host of an image reference ('' for a Docker Hub short name such as `nginx`)."""
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first.lower()
    return ""


class ImagesFromPlatformRegistry(BaseK8Check):
    def __init__(self) -> None:
        super().__init__(
            name="Container images come only from the platform's Azure Container Registry",
            id="CKV_PLATFORM_2",
            categories=[CheckCategories.KUBERNETES],
            supported_entities=list(POD_KINDS),
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        allowed = {registry.lower() for registry in context()["registries"]}
        images = [str(container.get("image") or "") for container in containers(conf)]
        return CheckResult.PASSED if all(registry_of(image) in allowed for image in images) else CheckResult.FAILED


check = ImagesFromPlatformRegistry()
