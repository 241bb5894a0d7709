"""Images are immutable references: a sha256 digest or an exact version tag, never `latest` or a moving tag."""

from __future__ import annotations

import re
from typing import Any

from platform_policy import POD_KINDS, PlatformCheck, containers

DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
# An exact release: 1.2.3, v1.2.3, 1.2.3-rc.1, 1.2.3-alpine3.20 (major.minor.patch required).
EXACT_VERSION_TAG = re.compile(r"^v?\d+\.\d+\.\d+([-+._][0-9A-Za-z][0-9A-Za-z._-]*)?$")


def is_immutable(image: str) -> bool:
    if DIGEST.search(image):
        return True
    last_segment = image.rsplit("/", 1)[-1]
    _, _, tag = last_segment.partition(":")
    return bool(tag) and EXACT_VERSION_TAG.match(tag) is not None


class ImagesImmutable(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_3"
    TITLE = "Images are pinned by digest or exact version tag (never latest or a moving tag)"
    ENTITIES = POD_KINDS

    def passes(self, conf: dict[str, Any]) -> bool:
        images = [str(container.get("image") or "") for container in containers(conf)]
        return all(is_immutable(image) for image in images)


check = ImagesImmutable()
