"""The `charts` gate of `platformctl validate`: every pinned chart is locked, and what is not rendered is said once.

Per environment (`check_environment`):
- a chart pinned in clusters/<env>/platform.yaml without a lock entry is an error (the pin names the
  env and component; the fix is `charts pull --record`);
- a lock entry with `sha256: null` is a warning, and an archive in the chart cache whose digest is not
  the lock's is a warning (rendered, but not the verified archive); both concern the lock or the cache,
  not one env, so they carry no env and `validate` prints them once.
Across environments (`coverage_finding`): one line naming the upstream charts that were not rendered
because their archive is not cached, split into values-checked against the mirror and not checked at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from platformctl.charts.lock import LOCK_FILE, ChartLock
from platformctl.charts.pins import application_pins
from platformctl.charts.pull import sha256_of
from platformctl.errors import PlatformError
from platformctl.findings import Finding
from platformctl.render import RenderedEnvironment
from platformctl.values_check import mirror_has_chart

GATE = "charts"
PULL = "`make charts` (= platformctl charts pull)"


def check_environment(rendered: RenderedEnvironment, root: Path, archive_dir: Path) -> list[Finding]:
    """The lock findings of the upstream charts `rendered`'s Applications deploy (see the module docstring)."""
    try:
        lock = ChartLock.load(root)
    except PlatformError as error:
        return [Finding(GATE, rendered.env, "", "", "", LOCK_FILE, error.message, error.fix or "correct the file")]
    platform_file = f"clusters/{rendered.env}/platform.yaml"
    findings = []
    for component, pin in application_pins(rendered.applications).items():
        name = f"{pin.name}@{pin.version}"
        entry = lock.get(pin)
        if entry is None:
            message = f"chart {pin} is pinned but has no entry in {LOCK_FILE}: its archive cannot be verified"
            fix = f"run `platformctl charts pull --record`, review the recorded digest and commit {LOCK_FILE}"
            findings.append(Finding(GATE, rendered.env, component, "chart", name, platform_file, message, fix))
        elif entry.sha256 is None:
            message = (
                f"digest of chart {pin} unknown (sha256: null): `charts pull` does not download it, "
                "so it is values-checked only"
            )
            fix = "run `platformctl charts pull --record` with network, check the digest against the index.yaml, commit"
            findings.append(Finding(GATE, "", "", "chart", name, LOCK_FILE, message, fix, "warning"))
        elif (archive := archive_dir / pin.archive_name).is_file() and _digest(archive) != entry.sha256:
            message = (
                f"{archive} has sha256 {_digest(archive)}, not the lock's {entry.sha256}: "
                "rendered, but not the verified archive"
            )
            fix = f"{PULL} replaces it with the verified archive"
            findings.append(Finding(GATE, "", "", "chart", name, LOCK_FILE, message, fix, "warning"))
    return findings


def _digest(archive: Path) -> str:
    stat = archive.stat()
    return _digest_cached(archive, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _digest_cached(archive: Path, _mtime: int, _size: int) -> str:
    return sha256_of(archive)


def coverage_finding(rendered: Iterable[RenderedEnvironment], mirror: Path, archive_dir: Path) -> Finding | None:
    """One finding naming every upstream chart no env rendered for want of its archive (None: all rendered).

    Severity `info` when every such chart was values-checked against the mirror, `warning` when one
    was not checked at all (the mirror does not carry it either).
    """
    missing = sorted(
        {
            (app.chart, app.version)
            for env in rendered
            for app in env.applications
            if app.source == "upstream" and not app.rendered and not _cached(archive_dir, app.chart, app.version)
        }
    )
    if not missing:
        return None
    checked = [f"{chart} {version}" for chart, version in missing if mirror_has_chart(mirror, chart, version)]
    unchecked = [f"{chart} {version}" for chart, version in missing if not mirror_has_chart(mirror, chart, version)]
    parts = [f"values-checked only against the mirror: {', '.join(checked)}"] if checked else []
    parts += [f"not checked at all (not in the mirror either): {', '.join(unchecked)}"] if unchecked else []
    message = f"not rendered, no archive in the chart cache {archive_dir}: " + "; ".join(parts)
    fix = f"{PULL} downloads the locked archives; validate then renders them"
    return Finding(GATE, "", "", "", "", "", message, fix, "warning" if unchecked else "info")


def _cached(archive_dir: Path, chart: str, version: str) -> bool:
    return (archive_dir / f"{chart}-{version}.tgz").is_file()
