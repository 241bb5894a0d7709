"""Immutable image references: what prod may deploy (a @sha256 digest or an exact version tag)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
DIGEST_TAG = re.compile(r"(.*@)?sha256:[0-9a-f]{64}")  # a tag value carrying a digest ("16.4@sha256:...")


def mutable_image_problem(image: str) -> str:
    """Why `image` is mutable ('' when it is pinned by digest or exact version tag)."""
    if DIGEST.search(image):
        return ""
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag (means latest)"
    tag = last.rsplit(":", 1)[1]
    if EXACT_VERSION.match(tag):
        return ""
    return f"uses the tag {tag!r}, which is not an exact X.Y.Z version (tags can move)"


def mutable_tag_problem(tag: str) -> str:
    """Why an image `tag` value is mutable ('' for an exact version or a digest)."""
    if EXACT_VERSION.match(tag) or DIGEST_TAG.fullmatch(tag):
        return ""
    return f"tag {tag!r} is not an exact X.Y.Z version nor a sha256 digest (tags can move)"


def image_tags_in_values(values: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """(dotted key, tag) of every image tag set in chart values: `tag` next to `repository`/`registry`
    or under a key named like `image`. An empty tag means the chart's appVersion (pinned by the chart)."""
    if not isinstance(values, dict):
        return
    image_like = bool(path) and "image" in path[-1].lower()
    has_tag = "tag" in values and isinstance(values["tag"], str | int | float) and str(values["tag"])
    if has_tag and (image_like or "repository" in values or "registry" in values):
        yield ".".join((*path, "tag")), str(values["tag"])
    for key, value in values.items():
        yield from image_tags_in_values(value, (*path, str(key)))
