"""Rendered YAML parsed once, and parsed the same way every time (memo and on-disk snapshots)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from platformctl.errors import PlatformError
from platformctl.kube_yaml import load_documents
from platformctl.manifests import parse_manifest

STREAM = """---
# Source: chart/templates/a.yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
data: {matcher: =, day: 2026-08-21}
---
---
# Source: chart/templates/b.yaml
apiVersion: v1
kind: Secret
metadata: {name: b}
"""


def test_documents_are_those_of_the_whole_stream() -> None:
    whole = [
        d
        for d in yaml.load_all(
            STREAM.replace(": =", ": '='").replace("2026-08-21", "'2026-08-21'"), Loader=yaml.SafeLoader
        )
        if d
    ]
    assert [d for d in load_documents(STREAM) if d] == whole


def test_every_load_returns_fresh_objects() -> None:
    first = parse_manifest(STREAM, "stream")
    first[0]["data"]["matcher"] = "changed by a gate"
    assert parse_manifest(STREAM, "stream")[0]["data"]["matcher"] == "="


def test_parsed_manifest_is_kept_on_disk_and_a_damaged_copy_is_parsed_again(tmp_path: Path) -> None:
    expected = parse_manifest(STREAM, "stream")
    assert parse_manifest(STREAM, "stream", tmp_path) == expected
    [snapshot] = list(tmp_path.iterdir())
    snapshot.write_bytes(b"damaged")
    assert parse_manifest(STREAM, "stream", tmp_path) == expected


def test_malformed_document_is_located_in_the_whole_stream() -> None:
    broken = STREAM + "---\napiVersion: v1\nkind: [ConfigMap\n"
    with pytest.raises(PlatformError) as error:
        parse_manifest(broken, "rendered chart")
    # line 16 of the stream (the end of its last document), not line 3 of that document
    assert "rendered chart:16: malformed YAML" in error.value.message
