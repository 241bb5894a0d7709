"""The app's own view of the load, through PromQL on its histograms and counters (prometheus-api-client).

Request and error counts are exact: the per-series counter values at the end of the load minus those
at its start (a series absent at the start counts from zero). Percentiles come from
`histogram_quantile` over the bucket increase during the load window.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from prometheus_api_client import PrometheusApiClientException, PrometheusConnect

from platformctl.errors import PlatformError
from platformctl.loadtest.slo import SloSpec

REQUESTS = "dataapp_http_request_duration_seconds"
NOT_LOAD_ROUTES = "/metrics|/healthz|/readyz"


@dataclass(frozen=True)
class GroupLatency:
    requests: int
    p95_ms: float | None
    p99_ms: float | None


@dataclass
class PrometheusResult:
    requests: int
    errors: int
    groups: dict[str, GroupLatency] = field(default_factory=dict)
    bucket_bounds_ms: list[float] = field(default_factory=list)

    @property
    def error_ratio(self) -> float | None:
        return self.errors / self.requests if self.requests else None


def connect(url: str) -> PrometheusConnect:
    return PrometheusConnect(url=url, disable_ssl=True)


def _query(client: PrometheusConnect, promql: str, at: float) -> list[dict]:
    try:
        return client.custom_query(promql, params={"time": f"{at:.3f}"})
    except (PrometheusApiClientException, OSError) as error:
        raise PlatformError(f"Prometheus query failed: {promql}: {error}", fix="check --prometheus URL") from None


def _series_values(client: PrometheusConnect, promql: str, at: float) -> dict[tuple, float]:
    return {tuple(sorted(s["metric"].items())): float(s["value"][1]) for s in _query(client, promql, at)}


def _scalar(client: PrometheusConnect, promql: str, at: float) -> float | None:
    result = _query(client, promql, at)
    if not result:
        return None
    value = float(result[0]["value"][1])
    return None if math.isnan(value) or math.isinf(value) else value


def count_between(client: PrometheusConnect, promql: str, start: float, end: float) -> int:
    """Sum over series of (value at end - value at start); a series born during the load counts from 0."""
    before = _series_values(client, promql, start)
    after = _series_values(client, promql, end)
    return round(sum(value - before.get(labels, 0.0) for labels, value in after.items()))


def wait_for_target(client: PrometheusConnect, job: str, timeout_seconds: float = 15) -> None:
    """Block until Prometheus has scraped `job` successfully once (up == 1)."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if _scalar(client, f'max(up{{job="{job}"}})', time.time()) == 1:
            return
        time.sleep(0.2)
    raise PlatformError(f"Prometheus never scraped job {job} successfully", fix="read prometheus.log in the out folder")


def judge_window(client: PrometheusConnect, spec: SloSpec, start: float, end: float) -> PrometheusResult:
    """Counts, throughput and per-group percentiles of `spec.app` between `start` and `end` (epoch s)."""
    app = f'app="{spec.app}"'
    load = f'{app}, route!~"{NOT_LOAD_ROUTES}"'
    by_series = f"sum by (route, method, status) ({REQUESTS}_count{{{load}}})"
    requests = count_between(client, by_series, start, end)
    errors = count_between(
        client, f'sum by (route, method, status) ({REQUESTS}_count{{{load}, status=~"5.."}})', start, end
    )
    window = f"{math.ceil(end - start) + 2}s"
    groups = {}
    for name, group in spec.objectives.groups.items():
        selector = f'{app}, route="{group.route}", method="{group.method}"'
        group_requests = count_between(client, f"sum by (status) ({REQUESTS}_count{{{selector}}})", start, end)
        quantile = {
            q: _scalar(
                client,
                f"histogram_quantile({q}, sum by (le) (increase({REQUESTS}_bucket{{{selector}}}[{window}])))",
                end,
            )
            for q in (0.95, 0.99)
        }
        groups[name] = GroupLatency(
            requests=group_requests,
            p95_ms=None if quantile[0.95] is None else quantile[0.95] * 1000,
            p99_ms=None if quantile[0.99] is None else quantile[0.99] * 1000,
        )
    bounds = sorted(
        float(s["metric"]["le"]) * 1000
        for s in _query(client, f"count by (le) ({REQUESTS}_bucket{{{app}}})", end)
        if s["metric"]["le"] != "+Inf"
    )
    return PrometheusResult(
        requests=requests,
        errors=errors,
        groups=groups,
        bucket_bounds_ms=bounds,
    )


def latency_series(client: PrometheusConnect, spec: SloSpec, start: float, end: float) -> dict[str, list[tuple]]:
    """p95 over time (5 s rate windows, 1 s steps) per group, for the plot: {group: [(epoch, ms), ...]}."""
    series: dict[str, list[tuple]] = {}
    for name, group in spec.objectives.groups.items():
        selector = f'app="{spec.app}", route="{group.route}", method="{group.method}"'
        promql = f"histogram_quantile(0.95, sum by (le) (rate({REQUESTS}_bucket{{{selector}}}[5s])))"
        try:
            data = client.custom_query_range(promql, start_time=_dt(start), end_time=_dt(end), step="1")
        except (PrometheusApiClientException, OSError) as error:
            raise PlatformError(
                f"Prometheus range query failed: {promql}: {error}", fix="check --prometheus URL"
            ) from None
        points = [(float(t), float(v) * 1000) for t, v in (data[0]["values"] if data else []) if v not in ("NaN",)]
        series[name] = points
    return series


def _dt(epoch: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, tz=UTC)
