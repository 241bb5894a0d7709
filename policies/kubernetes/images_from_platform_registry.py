"""Every container image comes from the platform's Azure Container Registry (cluster.yaml)."""

from __future__ import annotations

from typing import Any

from platform_policy import POD_KINDS, PlatformCheck, containers, context


def registry_of(image: str) -> str:
    """The registry host of an image reference ('' for a Docker Hub short name such as `nginx`)."""
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first.lower()
    return ""


class ImagesFromPlatformRegistry(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_2"
    TITLE = "Container images come only from the platform's Azure Container Registry"
    ENTITIES = POD_KINDS

    def passes(self, conf: dict[str, Any]) -> bool:
        allowed = {registry.lower() for registry in context()["registries"]}
        images = [str(container.get("image") or "") for container in containers(conf)]
        return all(registry_of(image) in allowed for image in images)


check = ImagesFromPlatformRegistry()
