"""Image references anywhere in the values files: `{repository: .../<name>, tag: ...}` mappings.

Components of the shared app chart keep their tag at `image.tag`; other images sit deeper, in lists
(e.g. Dagster's `dagster-user-deployments.deployments[].image`). This finds them by image name, so
promotion and the CI tag bump work for both without knowing each chart's layout.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platformctl.errors import PlatformError
from platformctl.promote.yamledit import render_scalar

VALUES_GLOBS = ("apps/*/values-{env}.yaml", "platform/*/values-{env}.yaml")


@dataclass(frozen=True)
class ImageRef:
    file: Path
    path: tuple[str | int, ...]  # keys and list indices down to the `tag` value
    repository: str
    tag: str
    start: int  # span of the tag scalar in the file's text
    end: int


def _walk(node: yaml.Node, path: tuple[str | int, ...], file: Path, found: list[ImageRef]) -> None:
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), file, found)
    elif isinstance(node, yaml.MappingNode):
        scalars = {key.value: value for key, value in node.value if isinstance(value, yaml.ScalarNode)}
        if "repository" in scalars and "tag" in scalars:
            tag = scalars["tag"]
            span = (tag.start_mark.index, tag.end_mark.index)
            found.append(ImageRef(file, (*path, "tag"), scalars["repository"].value, tag.value, *span))
        for key, value in node.value:
            _walk(value, (*path, key.value), file, found)


def refs_in_text(text: str, file: Path) -> list[ImageRef]:
    try:
        document = yaml.compose(text)
    except yaml.YAMLError as error:
        raise PlatformError(f"{file}: malformed YAML", fix="correct the YAML syntax") from error
    found: list[ImageRef] = []
    if document is not None:
        _walk(document, (), file, found)
    return found


def image_name(repository: str) -> str:
    return repository.rsplit("/", 1)[-1]


def image_refs(root: Path, env: str, name: str) -> list[ImageRef]:
    """Every image `<registry>/.../<name>` the env-specific values files of `env` pin."""
    found: list[ImageRef] = []
    for pattern in VALUES_GLOBS:
        for file in sorted(root.glob(pattern.format(env=env))):
            found += refs_in_text(file.read_text(encoding="utf-8"), file)
    return [ref for ref in found if image_name(ref.repository) == name]


def refreshed(ref: ImageRef, text: str) -> ImageRef:
    """The same reference in `text`, an edited version of its file (earlier edits may have moved it)."""
    same = [r for r in refs_in_text(text, ref.file) if r.path == ref.path and r.repository == ref.repository]
    if len(same) != 1:
        raise PlatformError(f"{ref.file}: image {ref.repository} moved during the edit", fix="edit it by hand")
    return same[0]


def set_tag(text: str, ref: ImageRef, tag: str) -> str:
    """`text` with the tag of `ref` replaced; only that value may change (checked by parsing)."""
    edited = text[: ref.start] + render_scalar(tag) + text[ref.end :]
    expected: Any = copy.deepcopy(yaml.safe_load(text))
    node = expected
    for key in ref.path[:-1]:
        node = node[key]
    node[ref.path[-1]] = tag
    if yaml.safe_load(edited) != expected:
        raise PlatformError(f"{ref.file}: editing the tag of {ref.repository} changed more", fix="edit it by hand")
    return edited
