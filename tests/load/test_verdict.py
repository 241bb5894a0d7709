"""The verdict: an objective passes only when both sources meet it and agree within the tolerance."""

from __future__ import annotations

from pathlib import Path

import pytest

from platformctl.loadtest.locust_run import GroupStats, LocustResult
from platformctl.loadtest.promql import GroupLatency, PrometheusResult
from platformctl.loadtest.slo import Agreement, load_slo
from platformctl.loadtest.verdict import judge, latencies_agree

BOUNDS = [5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0]


@pytest.fixture
def spec(repo_root: Path):
    return load_slo(repo_root / "apps" / "enrichment-api" / "slo.yaml")


def results(p95: float, prom_p95: float, failures: int = 0, errors: int = 0, prom_requests: int = 1000):
    locust = LocustResult(started=0, ended=31, requests=1000, failures=failures, throughput_rps=1000 / 30,
                          groups={"enrich": GroupStats(1000, failures, p95, p95 * 1.5)}, cpu_seconds=3)  # fmt: skip
    prom = PrometheusResult(requests=prom_requests, errors=errors, bucket_bounds_ms=BOUNDS,
                            groups={"enrich": GroupLatency(prom_requests, prom_p95, prom_p95 * 1.5)})  # fmt: skip
    return locust, prom


def test_a_healthy_run_passes(spec) -> None:
    verdict = judge(spec, *results(600, 620), mode="local", target_url="http://127.0.0.1:1")
    assert verdict.passed, verdict.table()
    assert verdict.facts["locust_cpu_share_of_one_core"] == pytest.approx(3 / 31, abs=0.001)


def test_a_latency_over_the_objective_fails_from_either_source(spec) -> None:
    verdict = judge(spec, *results(2100, 2200), mode="local", target_url="")
    assert [row.objective for row in verdict.failures()] == ["enrich p95 latency (ms)"]


def test_errors_over_the_maximum_fail(spec) -> None:
    verdict = judge(spec, *results(600, 620, failures=50, errors=50), mode="local", target_url="")
    (row,) = verdict.failures()
    assert row.objective.startswith("error ratio") and row.agree and not row.meets_slo


def test_sources_that_disagree_fail_even_within_the_objective(spec) -> None:
    """Locust counts 1000 requests, Prometheus 500: the app's metrics miss half of them."""
    verdict = judge(spec, *results(600, 620, prom_requests=500), mode="local", target_url="")
    (row,) = verdict.failures()
    assert row.objective.startswith("throughput") and row.meets_slo and not row.agree


@pytest.mark.parametrize(
    ("locust_ms", "prom_ms", "agree"),
    [
        (600, 620, True),  # same bucket 500-1000
        (1500, 620, True),  # above the bucket by less than abs + client overhead (525 ms)
        (1600, 620, False),  # 600 ms above the bucket: not plausible overhead
        (460, 620, False),  # a client faster than the server's bucket (minus 25 ms) is not plausible
        (None, 620, False),  # no data is never agreement
    ],
)
def test_latency_agreement_is_bucket_aware(locust_ms, prom_ms, agree: bool) -> None:
    assert latencies_agree(locust_ms, prom_ms, BOUNDS, Agreement()) is agree


@pytest.mark.parametrize(("prom_errors", "agree"), [(45, True), (52, False)])
def test_requests_in_flight_at_the_stop_are_within_the_tolerance(spec, prom_errors: int, agree: bool) -> None:
    """8 users: Prometheus may count up to 8 requests locust never recorded (0.01 + 8/1000 on the ratio)."""
    locust, prom = results(600, 620, failures=30, errors=prom_errors, prom_requests=1008)
    verdict = judge(spec, locust, prom, mode="local", target_url="")
    errors = next(row for row in verdict.rows if row.objective.startswith("error ratio"))
    assert errors.agree is agree and not errors.meets_slo


@pytest.mark.parametrize(("requests", "checked"), [(300, False), (2000, True)])
def test_a_tail_percentile_is_compared_only_with_enough_samples_beyond_it(spec, requests: int, checked: bool) -> None:
    locust, prom = results(600, 620)
    locust.requests = prom.requests = requests
    locust.groups["enrich"] = GroupStats(requests, 0, 600, 300)  # p99 below Prometheus' p99 bucket (500-1000)
    prom.groups["enrich"] = GroupLatency(requests, 620, 650)
    verdict = judge(spec, locust, prom, mode="local", target_url="")
    p99 = next(row for row in verdict.rows if row.objective == "enrich p99 latency (ms)")
    assert p99.agreement_checked is checked and p99.agree is not checked
    assert ("n/a" in verdict.table().splitlines()[3]) is not checked
