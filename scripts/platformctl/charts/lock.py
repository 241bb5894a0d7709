"""The chart lock, `clusters/charts.lock.yaml`: the sha256 of every upstream chart archive we deploy.

One entry per (repository, chart name, exact version), with the digest of the archive `helm pull`
downloads and where that digest comes from (`source`). `sha256: null` records that no trustworthy
digest is known yet: `charts pull` does not download such a chart until `charts pull --record`
records one (the published digest from the mirror's chart-digests.yaml when it lists one, else the
digest of the first download: trust on first use). The file is rewritten whole by `--record`, so it
carries no hand-written comments beyond the header below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platformctl.charts.pins import ChartPin
from platformctl.errors import PlatformError
from platformctl.kube_yaml import load_yaml_text

LOCK_FILE = "clusters/charts.lock.yaml"
SHA256 = re.compile(r"^[0-9a-f]{64}$")
DIGESTS_FILE = "chart-digests.yaml"  # in the upstream mirror: digests published in each repository's index.yaml
HEADER = """\
# Digests of the upstream chart archives the environments pin (docs/contracts.md, "Chart lock").
# `platformctl charts pull` (make charts) downloads each pinned chart with helm into the chart cache
# and refuses an archive whose sha256 differs from its entry. `sha256: null`: no trustworthy digest
# known yet, so the chart is not downloaded until `platformctl charts pull --record` records one
# (the published digest from the mirror when it has one, else trust on first use; review it).
# `source` says where each digest comes from. Written by `charts pull --record`; edit by hand only
# to change a digest after checking it against the chart repository's index.yaml.
"""


@dataclass(frozen=True)
class LockEntry:
    pin: ChartPin
    sha256: str | None  # None: no trustworthy digest known yet
    source: str


class ChartLock:
    """The entries of the lock file, by pin; `record` then `write` to update it."""

    def __init__(self, path: Path, entries: dict[ChartPin, LockEntry]) -> None:
        self.path = path
        self.entries = entries

    @classmethod
    def load(cls, root: Path) -> ChartLock:
        """The lock of the checkout at `root` (an absent file is an empty lock: every pin then lacks an entry)."""
        return cls.load_file(root / LOCK_FILE)

    @classmethod
    def load_file(cls, path: Path) -> ChartLock:
        if not path.is_file():
            return cls(path, {})
        try:
            document = load_yaml_text(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise PlatformError(f"{LOCK_FILE}: malformed YAML: {error}", fix="correct the YAML syntax") from error
        entries: dict[ChartPin, LockEntry] = {}
        for index, raw in enumerate(document.get("charts") or [] if isinstance(document, dict) else []):
            entry = _entry(raw, index)
            if entry.pin in entries:
                raise PlatformError(f"{LOCK_FILE}: {entry.pin} is listed twice", fix="keep one entry per chart version")
            entries[entry.pin] = entry
        return cls(path, entries)

    def get(self, pin: ChartPin) -> LockEntry | None:
        return self.entries.get(pin)

    def record(self, pin: ChartPin, sha256: str, source: str) -> None:
        self.entries[pin] = LockEntry(pin, sha256, source)

    def write(self) -> None:
        charts = [
            {
                "name": entry.pin.name,
                "version": entry.pin.version,
                "repository": entry.pin.repository,
                "sha256": entry.sha256,
                "source": entry.source,
            }
            for entry in sorted(self.entries.values(), key=lambda e: e.pin.sort_key)
        ]
        text = HEADER + yaml.safe_dump({"charts": charts}, sort_keys=False, width=1000)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(self.path)


def _entry(raw: Any, index: int) -> LockEntry:
    where = f"{LOCK_FILE}: charts[{index}]"
    if not isinstance(raw, dict) or not all(raw.get(key) for key in ("name", "version", "repository")):
        raise PlatformError(f"{where} needs name, version and repository", fix="complete the entry")
    pin = ChartPin(str(raw["repository"]), str(raw["name"]), str(raw["version"]))
    sha256 = raw.get("sha256")
    if sha256 is not None and not SHA256.match(str(sha256)):
        raise PlatformError(
            f"{where} ({pin.name} {pin.version}): sha256 {sha256!r} is not 64 lowercase hex digits",
            fix="give the archive's sha256 as 64 lowercase hex digits, or null when unknown",
        )
    return LockEntry(pin, str(sha256) if sha256 is not None else None, str(raw.get("source") or ""))


def published_digests(mirror: Path) -> dict[ChartPin, str]:
    """The digests the chart repositories publish (index.yaml), as the mirror's chart-digests.yaml lists them."""
    path = mirror / DIGESTS_FILE
    if not path.is_file():
        return {}
    document = load_yaml_text(path.read_text(encoding="utf-8")) or {}
    found = {}
    for raw in document.get("charts") or []:
        digest = raw.get("digest") if isinstance(raw, dict) else None
        if digest and SHA256.match(str(digest)):
            pin = ChartPin(str(raw.get("repository", "")), str(raw.get("name", "")), str(raw.get("version", "")))
            found[pin] = str(digest)
    return found
