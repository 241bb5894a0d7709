"""`helm pull` of every pinned chart into the chart cache, each archive verified against the lock.

An archive enters the cache only when its sha256 equals the digest it must have: the lock's, or,
with `record=True` for a chart whose lock digest is unknown, the digest its repository publishes
(mirror chart-digests.yaml); with no published digest, `record=True` trusts the first download and
says so in the entry's `source`. A mismatch is refused: the archive is removed, and the result names
the chart, both digests and the fix. An archive already cached is kept only if it matches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from platformctl import helm
from platformctl.charts.lock import LOCK_FILE, ChartLock, LockEntry
from platformctl.charts.pins import ChartPin
from platformctl.errors import PlatformError, ToolMissingError

PULL_WORKERS = 4  # network-bound


@dataclass(frozen=True)
class PullResult:
    pin: ChartPin
    status: str  # cached | pulled | recorded | skipped | refused | failed
    detail: str
    fix: str = ""
    recorded: LockEntry | None = None  # the lock entry to write (status "recorded")

    @property
    def severity(self) -> str:
        return {"skipped": "warning", "refused": "error", "failed": "error"}.get(self.status, "ok")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pull_charts(
    pins: list[ChartPin],
    lock: ChartLock,
    cache_dir: Path,
    *,
    root: Path,
    record: bool = False,
    published: dict[ChartPin, str] | None = None,
) -> list[PullResult]:
    """Pull every pin (concurrently); with `record`, write the digests recorded into the lock file."""
    cache_dir.mkdir(parents=True, exist_ok=True)

    def one(pin: ChartPin) -> PullResult:
        return pull_chart(pin, lock.get(pin), cache_dir, root=root, record=record, published=published or {})

    with ThreadPoolExecutor(max_workers=PULL_WORKERS) as pool:
        results = list(pool.map(one, pins))
    recorded = [result.recorded for result in results if result.recorded is not None]
    for entry in recorded:
        lock.record(entry.pin, str(entry.sha256), entry.source)
    if recorded:
        lock.write()
    return results


def pull_chart(
    pin: ChartPin,
    entry: LockEntry | None,
    cache_dir: Path,
    *,
    root: Path,
    record: bool,
    published: dict[ChartPin, str],
) -> PullResult:
    """One chart: cached and verified, pulled and verified, recorded, skipped (digest unknown) or refused."""
    if entry is None and not record:
        return PullResult(
            pin,
            "refused",
            f"no entry in {LOCK_FILE}: its archive cannot be verified",
            "run `platformctl charts pull --record`, review the recorded digest and commit the lock",
        )
    if entry is not None and entry.sha256 is None and not record:
        return PullResult(
            pin,
            "skipped",
            f"digest unknown in {LOCK_FILE} (sha256: null): not downloaded, values-checked only",
            "record it: `platformctl charts pull --record` (check it against the repository's index.yaml)",
        )
    locked = entry.sha256 if entry is not None else None
    expected = locked or published.get(pin)
    archive = cache_dir / pin.archive_name
    replaced = ""
    if archive.is_file():
        cached = sha256_of(archive)
        if expected is not None and cached == expected:
            return _verified(pin, "cached", expected, locked, published)
        archive.unlink()  # not the archive the lock (or the repository) vouches for
        replaced = f"; removed a cached archive that did not match (sha256 {cached})"
    with tempfile.TemporaryDirectory(prefix=".pull-", dir=cache_dir) as scratch:
        try:
            downloaded = helm.pull(pin.repository, pin.name, pin.version, Path(scratch), root=root)
        except ToolMissingError:
            raise
        except PlatformError as error:
            return PullResult(pin, "failed", error.message + replaced, error.fix or "")
        actual = sha256_of(downloaded)
        if expected is not None and actual != expected:
            vouched = f"the lock's {expected} ({LOCK_FILE})" if locked else f"the published {expected} (index.yaml)"
            return PullResult(
                pin,
                "refused",
                f"downloaded archive has sha256 {actual}, not {vouched}; archive removed{replaced}",
                f"do not use it. If {pin.repository} republished {pin.name} {pin.version} on purpose, check the new "
                f"digest against its index.yaml and change sha256 in {LOCK_FILE} in a reviewed commit",
            )
        downloaded.replace(archive)
    return _verified(pin, "pulled", actual, locked, published, replaced)


def _verified(
    pin: ChartPin, how: str, digest: str, locked: str | None, published: dict[ChartPin, str], note: str = ""
) -> PullResult:
    """The result for an archive now in the cache with `digest`, recording it when the lock lacked it."""
    if locked is not None:
        return PullResult(pin, how, f"sha256 {digest[:12]}… matches the lock{note}")
    if published.get(pin) == digest:
        source = "published: the repository's index.yaml (upstream mirror chart-digests.yaml)"
    else:
        source = f"trust on first use: recorded by `platformctl charts pull --record` on {dt.date.today().isoformat()}"
    entry = LockEntry(pin, digest, source)
    detail = f"sha256 {digest[:12]}… recorded in {LOCK_FILE} ({source.split(':')[0]}){note}"
    return PullResult(pin, "recorded", detail, "", entry)
