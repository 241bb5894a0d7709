"""`platformctl charts pull` against a chart repository on 127.0.0.1, and validate's `charts` gate.

Every pull goes through the real helm and a real HTTP chart repository built from the fixture charts
(tests/manifests/chart_repository.py): a good pull, a tampered archive, a missing version, a pin
without lock entry, trust on first use, and the command end to end.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from platformctl.charts.check import check_environment
from platformctl.charts.lock import LOCK_FILE, ChartLock, LockEntry
from platformctl.charts.pins import ChartPin
from platformctl.charts.pull import pull_charts, sha256_of
from platformctl.render import render_root

from .chart_repository import FIXTURE_CHARTS, ChartRepository, helm
from .conftest import GateRunner, edit, errors_of, messages
from .test_cli import platformctl

pytestmark = pytest.mark.slow


@pytest.fixture
def repository(tmp_path: Path) -> Iterator[ChartRepository]:
    with ChartRepository(tmp_path / "served") as served:
        yield served


def locked(tmp_path: Path, pin: ChartPin, sha256: str | None) -> ChartLock:
    return ChartLock(tmp_path / "charts.lock.yaml", {pin: LockEntry(pin, sha256, "test")})


def tamper(repository: ChartRepository, tmp_path: Path) -> str:
    """Serve another demo 0.1.0 under the same name and index entry; its sha256."""
    chart = tmp_path / "tampered" / "demo"
    shutil.copytree(FIXTURE_CHARTS / "demo", chart)
    (chart / "values.yaml").write_text("greeting: tampered\n")
    helm("package", str(chart), "--destination", str(chart.parent), cwd=chart.parent)
    shutil.copy(chart.parent / "demo-0.1.0.tgz", repository.archive("demo", "0.1.0"))
    return sha256_of(repository.archive("demo", "0.1.0"))


def test_good_pull_is_verified_then_served_from_the_cache(repository: ChartRepository, tmp_path: Path) -> None:
    pin = ChartPin(repository.url, "demo", "0.1.0")
    digest = sha256_of(repository.archive("demo", "0.1.0"))
    cache = tmp_path / "cache"
    [result] = pull_charts([pin], locked(tmp_path, pin, digest), cache, root=tmp_path)
    assert (result.status, result.severity) == ("pulled", "ok"), result
    assert sorted(p.name for p in cache.iterdir()) == ["demo-0.1.0.tgz"]  # no download leftovers
    assert sha256_of(cache / "demo-0.1.0.tgz") == digest
    [again] = pull_charts([pin], locked(tmp_path, pin, digest), cache, root=tmp_path)
    assert again.status == "cached"


def test_tampered_archive_is_refused_and_removed(repository: ChartRepository, tmp_path: Path) -> None:
    pin = ChartPin(repository.url, "demo", "0.1.0")
    digest = sha256_of(repository.archive("demo", "0.1.0"))
    served = tamper(repository, tmp_path)
    cache = tmp_path / "cache"
    [result] = pull_charts([pin], locked(tmp_path, pin, digest), cache, root=tmp_path)
    assert (result.status, result.severity) == ("refused", "error"), result
    assert f"sha256 {served}" in result.detail and digest in result.detail and "archive removed" in result.detail
    assert "demo 0.1.0" in result.fix and LOCK_FILE in result.fix and "index.yaml" in result.fix
    assert list(cache.iterdir()) == []


def test_cached_archive_that_does_not_match_is_replaced(repository: ChartRepository, tmp_path: Path) -> None:
    pin = ChartPin(repository.url, "demo", "0.1.0")
    digest = sha256_of(repository.archive("demo", "0.1.0"))
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "demo-0.1.0.tgz").write_bytes(b"not the locked archive")
    [result] = pull_charts([pin], locked(tmp_path, pin, digest), cache, root=tmp_path)
    assert result.status == "pulled" and "removed a cached archive that did not match" in result.detail
    assert sha256_of(cache / "demo-0.1.0.tgz") == digest


def test_missing_version_is_an_error_naming_it(repository: ChartRepository, tmp_path: Path) -> None:
    pin = ChartPin(repository.url, "demo", "0.2.0")
    [result] = pull_charts([pin], locked(tmp_path, pin, "0" * 64), tmp_path / "cache", root=tmp_path)
    assert (result.status, result.severity) == ("failed", "error"), result
    assert 'version "0.2.0" not found' in result.detail and repository.url in result.detail
    assert not (tmp_path / "cache" / "demo-0.2.0.tgz").exists()


def test_pin_without_lock_entry_is_refused_unless_recorded(repository: ChartRepository, tmp_path: Path) -> None:
    pin = ChartPin(repository.url, "demo", "0.1.0")
    lock = ChartLock(tmp_path / "charts.lock.yaml", {})
    [refused] = pull_charts([pin], lock, tmp_path / "cache", root=tmp_path)
    assert refused.status == "refused" and "no entry in" in refused.detail and "--record" in refused.fix
    assert not (tmp_path / "cache" / "demo-0.1.0.tgz").exists()
    # --record without a published digest trusts the first download, and says so in the lock.
    [recorded] = pull_charts([pin], lock, tmp_path / "cache", root=tmp_path, record=True)
    assert recorded.status == "recorded", recorded
    entry = ChartLock.load_file(tmp_path / "charts.lock.yaml").get(pin)
    assert entry is not None and entry.sha256 == sha256_of(repository.archive("demo", "0.1.0"))
    assert entry.source.startswith("trust on first use")


def test_unknown_digest_is_skipped_and_recorded_from_the_published_one(
    repository: ChartRepository, tmp_path: Path
) -> None:
    pin = ChartPin(repository.url, "demo", "0.1.0")
    digest = sha256_of(repository.archive("demo", "0.1.0"))
    lock = locked(tmp_path, pin, None)
    [skipped] = pull_charts([pin], lock, tmp_path / "cache", root=tmp_path)
    assert (skipped.status, skipped.severity) == ("skipped", "warning")
    [wrong] = pull_charts([pin], lock, tmp_path / "cache", root=tmp_path, record=True, published={pin: "f" * 64})
    assert wrong.status == "refused" and "the published " + "f" * 64 in wrong.detail
    [good] = pull_charts([pin], lock, tmp_path / "cache", root=tmp_path, record=True, published={pin: digest})
    assert good.status == "recorded"
    entry = ChartLock.load_file(tmp_path / "charts.lock.yaml").get(pin)
    assert entry is not None and entry.sha256 == digest and entry.source.startswith("published")


def test_pinned_chart_without_lock_entry_is_a_finding(gate: GateRunner, fixture_repo: Path) -> None:
    lock = ChartLock.load(fixture_repo)
    lock.entries = {pin: entry for pin, entry in lock.entries.items() if pin.name != "cert-manager"}
    lock.write()
    found = errors_of(gate("dev"), "charts")
    assert len(found) == 1, messages(found)
    assert (found[0].application, found[0].name, found[0].file) == (
        "cert-manager",
        "cert-manager@v1.21.1",
        "clusters/dev/platform.yaml",
    )
    assert "has no entry in clusters/charts.lock.yaml" in found[0].message
    assert "platformctl charts pull --record" in found[0].fix


def test_unverified_archive_in_the_chart_cache_is_a_warning(fixture_repo: Path, mirror: Path, tmp_path: Path) -> None:
    rendered = render_root("dev", root=fixture_repo, mirror=mirror, render_cache=tmp_path / "render")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "cert-manager-v1.21.1.tgz").write_bytes(b"some other archive")
    findings = check_environment(rendered, fixture_repo, cache)
    unverified = [f for f in findings if f.name == "cert-manager@v1.21.1"]
    assert len(unverified) == 1, messages(findings)
    assert unverified[0].severity == "warning" and unverified[0].env == ""
    assert f"{cache / 'cert-manager-v1.21.1.tgz'} has sha256 " in unverified[0].message
    assert "not the lock's c27101f3" in unverified[0].message


def test_charts_pull_command_end_to_end(
    repository: ChartRepository, fixture_repo: Path, repo_root: Path, mirror: Path, tmp_path: Path
) -> None:
    """The fixture's cert-manager pin now points at the local repository's demo chart; the lock's
    unknown digests (kube-prometheus-stack, dagster) are skipped, so nothing leaves 127.0.0.1."""
    values = fixture_repo / ".argocd" / "apps" / "values.yaml"
    edit(values, "chart: {repoURL: https://charts.jetstack.io, name: cert-manager, version: v1.21.1}",
         f"chart: {{repoURL: '{repository.url}', name: demo, version: 0.1.0}}")  # fmt: skip
    lock = ChartLock.load(fixture_repo)
    pin = ChartPin(repository.url, "demo", "0.1.0")
    lock.entries = {p: e for p, e in lock.entries.items() if p.name != "cert-manager"}
    lock.record(pin, sha256_of(repository.archive("demo", "0.1.0")), "test")
    lock.write()
    lock_text = (fixture_repo / LOCK_FILE).read_text()
    cache = tmp_path / "cache"
    result = platformctl(fixture_repo, repo_root, mirror, "charts", "pull", "--chart-cache", str(cache))
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split()[0]: line.split()[2] for line in result.stdout.splitlines()[2:5]}
    assert rows == {"dagster": "skipped", "demo": "pulled", "kube-prometheus-stack": "skipped"}, result.stdout
    assert sorted(p.name for p in cache.iterdir()) == ["demo-0.1.0.tgz"]
    # The repository now serves another archive: refused, removed, exit 1.
    (cache / "demo-0.1.0.tgz").unlink()
    served = tamper(repository, tmp_path)
    result = platformctl(fixture_repo, repo_root, mirror, "charts", "pull", "--chart-cache", str(cache))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"ERROR demo 0.1.0 ({repository.url}): downloaded archive has sha256 {served}" in result.stdout
    assert list(cache.iterdir()) == []
    assert (fixture_repo / LOCK_FILE).read_text() == lock_text  # never rewritten without --record
