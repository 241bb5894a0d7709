"""YAML read as Kubernetes reads it, and read once.

`KubernetesLoader` is PyYAML's safe loader (libyaml's C parser when available) where PyYAML's YAML
1.1 resolver and Kubernetes (sigs.k8s.io/yaml, which converts YAML to JSON) disagree:
- a bare `=` resolves to YAML 1.1's "value" tag (`tag:yaml.org,2002:value`), which PyYAML cannot
  construct: Kubernetes reads the string "=" (kube-prometheus-stack 88.5.3's CRDs list it in enums);
- an unquoted date or timestamp (`2024-01-31`) becomes a `datetime` in PyYAML; Kubernetes keeps the
  string as written.

`load_documents(text)` splits a stream at its `---` lines and parses each document once per process:
the same document (a chart's CRDs, identical in every env) is parsed by YAML once, later copies come
from a marshal snapshot (~15x faster than constructing them again, and always fresh objects, so no
caller can alter another's). Constructing Python objects, not libyaml's scanning, is what costs:
kube-prometheus-stack's 5 MB of rendered CRDs take ~1 s to construct, ~0.07 s to unmarshal. With a
cache folder (the render cache), the parsed stream is also kept on disk, so a later run reads it back.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import sys
import threading
from pathlib import Path
from typing import Any

import yaml

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class KubernetesLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader with Kubernetes' reading of `=` and timestamps (see the module docstring)."""


def _scalar_as_written(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


KubernetesLoader.add_constructor("tag:yaml.org,2002:value", _scalar_as_written)
KubernetesLoader.add_constructor("tag:yaml.org,2002:timestamp", _scalar_as_written)

SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)
# Lines that make a plain split unsafe (directives, markers with content, document end): parse whole.
UNUSUAL = re.compile(r"^(%|---[ \t]*\S|\.\.\.)", re.MULTILINE)
MEMO_LIMIT_BYTES = 256 * 1024 * 1024


class _Memo:
    """document text -> marshal snapshot of its value (bounded: cleared past MEMO_LIMIT_BYTES)."""

    def __init__(self) -> None:
        self.snapshots: dict[str, bytes] = {}
        self.size = 0
        self.lock = threading.Lock()

    def load(self, text: str) -> Any:
        snapshot = self.snapshots.get(text)
        if snapshot is not None:
            return marshal.loads(snapshot)
        value = yaml.load(text, Loader=KubernetesLoader)  # a SafeLoader subclass
        try:
            snapshot = marshal.dumps(value)
        except ValueError:  # a type marshal cannot carry: not memoized
            return value
        with self.lock:
            if self.size + len(snapshot) > MEMO_LIMIT_BYTES:
                self.snapshots.clear()
                self.size = 0
            self.snapshots[text] = snapshot
            self.size += len(snapshot)
        return value


_memo = _Memo()


def load_yaml_text(text: str) -> Any:
    """One YAML document read as Kubernetes reads it."""
    return _memo.load(text)


def load_documents(text: str, cache_dir: Path | None = None) -> list[Any]:
    """Every document of a YAML stream (None for empty ones), each parsed once per process; with
    `cache_dir`, the whole stream's values are also kept on disk (content-addressed) for later runs.

    A stream with directives or unusual markers is parsed whole (no memo). A YAMLError is raised as
    PyYAML raises it for the whole stream, so its line numbers count from the top of `text`.
    """
    snapshot = _snapshot_path(text, cache_dir) if cache_dir is not None else None
    if snapshot is not None and snapshot.is_file():
        try:
            return list(marshal.loads(snapshot.read_bytes()))
        except (EOFError, ValueError, TypeError):
            pass  # a damaged snapshot: parse again (and rewrite it)
    documents = _parse_stream(text)
    if snapshot is not None:
        _write_snapshot(snapshot, documents)
    return documents


def _parse_stream(text: str) -> list[Any]:
    if UNUSUAL.search(text):
        return list(yaml.load_all(text, Loader=KubernetesLoader))
    try:
        return [_memo.load(part) for part in SEPARATOR.split(text)]
    except yaml.YAMLError:
        return list(yaml.load_all(text, Loader=KubernetesLoader))  # raises with the stream's line numbers


def _snapshot_path(text: str, cache_dir: Path) -> Path:
    """Keyed by the text and the marshal format (Python version), so a snapshot is never misread."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    return cache_dir / f"{digest}.{sys.implementation.cache_tag}-{marshal.version}.marshal"


def _write_snapshot(path: Path, documents: list[Any]) -> None:
    try:
        data = marshal.dumps(documents)
    except ValueError:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
