"""Owner and data classification labels on upstream charts' objects (CKV_PLATFORM_1): the values set
them through each chart's common-labels key, with the component's catalogue entry as the truth."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from platformctl.paths import repo_root

OWNER, CLASSIFICATION = "platform.example/owner", "platform.example/data-classification"


def catalogue() -> dict[str, Any]:
    return yaml.safe_load((repo_root() / ".argocd/apps/values.yaml").read_text(encoding="utf-8"))["components"]


def label_maps(values: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(dotted key, map) of every map of values holding an owner label."""
    if isinstance(values, dict):
        if OWNER in values:
            yield path, values
        for key, value in values.items():
            yield from label_maps(value, f"{path}.{key}" if path else str(key))
    elif isinstance(values, list):
        for index, item in enumerate(values):
            yield from label_maps(item, f"{path}.{index}")


UPSTREAM = sorted(name for name, spec in catalogue().items() if spec.get("chart"))


@pytest.mark.parametrize("component", UPSTREAM)
def test_upstream_objects_are_labelled_with_the_catalogue_owner(component: str) -> None:
    spec = catalogue()[component]
    folder = repo_root() / spec["values"]
    found = [
        (f"{path.name}:{key}", labels)
        for path in sorted(folder.glob("values*.yaml"))
        for key, labels in label_maps(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    ]
    assert found, f"{spec['values']} sets no {OWNER} label"
    for where, labels in found:
        assert (labels[OWNER], labels.get(CLASSIFICATION)) == (spec["owner"], spec["dataClassification"]), where
