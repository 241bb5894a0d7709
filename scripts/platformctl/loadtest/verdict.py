"""Judge the SLO from both sources and check that they agree within the slo.yaml `agreement` tolerance."""

from __future__ import annotations

import bisect
import json
from dataclasses import asdict, dataclass, field

from platformctl.findings import format_table
from platformctl.loadtest.locust_run import LocustResult
from platformctl.loadtest.promql import PrometheusResult
from platformctl.loadtest.slo import Agreement, SloSpec

MAX_LOCUST_CPU_SHARE = 0.9  # above this locust, not the app, may be what limits the load


@dataclass(frozen=True)
class Row:
    objective: str
    target: str
    locust: float | None
    prometheus: float | None
    meets_slo: bool
    agree: bool
    unit: str = ""
    agreement_checked: bool = True  # False: too few samples to compare the two sources

    @property
    def passed(self) -> bool:
        return self.meets_slo and self.agree


@dataclass
class Verdict:
    app: str
    mode: str
    target_url: str
    rows: list[Row] = field(default_factory=list)
    facts: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.rows) and all(row.passed for row in self.rows)

    def failures(self) -> list[Row]:
        return [row for row in self.rows if not row.passed]

    def table(self) -> str:
        def show(value: float | None, unit: str) -> str:
            return "n/a" if value is None else f"{value:.4f}" if unit == "ratio" else f"{value:.1f}"

        rows = [
            (
                row.objective,
                row.target,
                show(row.locust, row.unit),
                show(row.prometheus, row.unit),
                ("yes" if row.agree else "NO") if row.agreement_checked else "n/a",
                "pass" if row.passed else "FAIL",
            )
            for row in self.rows
        ]
        return format_table(("objective", "target", "locust", "prometheus", "agree", "result"), rows)

    def to_json(self) -> str:
        return json.dumps(
            {"app": self.app, "mode": self.mode, "target": self.target_url, "passed": self.passed,
             "facts": self.facts, "objectives": [{**asdict(row), "passed": row.passed} for row in self.rows]},
            indent=2,
        )  # fmt: skip


def latencies_agree(
    locust_ms: float | None, prom_ms: float | None, bounds_ms: list[float], agreement: Agreement
) -> bool:
    """Locust's value lies in the histogram bucket holding Prometheus' estimate, widened (see Agreement)."""
    if locust_ms is None or prom_ms is None:
        return False
    index = bisect.bisect_left(bounds_ms, prom_ms)
    lower = bounds_ms[index - 1] if 0 < index <= len(bounds_ms) else 0.0
    upper = bounds_ms[index] if index < len(bounds_ms) else float("inf")
    return (
        lower - agreement.latency_abs_ms <= locust_ms <= upper + agreement.latency_abs_ms + agreement.client_overhead_ms
    )


def _at_most(value: float | None, limit: float) -> bool:
    return value is not None and value <= limit


def judge(spec: SloSpec, locust: LocustResult, prom: PrometheusResult, mode: str, target_url: str) -> Verdict:
    agreement = spec.agreement
    verdict = Verdict(app=spec.app, mode=mode, target_url=target_url)
    for name, group in spec.objectives.groups.items():
        ours, theirs = locust.groups.get(name), prom.groups.get(name)
        samples = min(ours.requests if ours else 0, theirs.requests if theirs else 0)
        for quantile, limit in (("p95", group.p95_ms), ("p99", group.p99_ms)):
            mine = getattr(ours, f"{quantile}_ms") if ours and ours.requests else None
            server = getattr(theirs, f"{quantile}_ms") if theirs and theirs.requests else None
            tail = samples * (1 - int(quantile[1:]) / 100)
            resolvable = mine is None or server is None or tail >= agreement.min_tail_samples
            verdict.rows.append(Row(
                objective=f"{name} {quantile} latency (ms)",
                target=f"<= {limit:g}",
                locust=mine,
                prometheus=server,
                meets_slo=_at_most(mine, limit) and _at_most(server, limit),
                agree=latencies_agree(mine, server, prom.bucket_bounds_ms, agreement) if resolvable else True,
                unit="ms",
                agreement_checked=resolvable,
            ))  # fmt: skip
    # Requests in flight when locust stops are served (and counted) by the app but never recorded by
    # locust: each source may count up to `users` requests the other does not.
    boundary = spec.load.users / max(1, min(locust.requests, prom.requests))
    error_limit = spec.objectives.max_error_ratio
    verdict.rows.append(Row(
        objective="error ratio (5xx, transport)",
        target=f"<= {error_limit:g}",
        locust=locust.error_ratio,
        prometheus=prom.error_ratio,
        meets_slo=_at_most(locust.error_ratio, error_limit) and _at_most(prom.error_ratio, error_limit),
        agree=locust.error_ratio is not None and prom.error_ratio is not None
        and abs(locust.error_ratio - prom.error_ratio) <= agreement.error_ratio_abs + boundary,
        unit="ratio",
    ))  # fmt: skip
    min_rps = spec.objectives.min_throughput_rps
    # Both rates over the same interval: locust's active load time (its requests / its rate).
    active_seconds = locust.requests / locust.throughput_rps if locust.throughput_rps else locust.wall_seconds
    prom_rps = prom.requests / active_seconds if active_seconds else 0.0
    verdict.rows.append(Row(
        objective="throughput (req/s)",
        target=f">= {min_rps:g}",
        locust=locust.throughput_rps,
        prometheus=prom_rps,
        meets_slo=locust.throughput_rps >= min_rps and prom_rps >= min_rps,
        agree=abs(locust.throughput_rps - prom_rps)
        <= agreement.throughput_rel * max(locust.throughput_rps, prom_rps) + boundary * locust.throughput_rps,
        unit="rps",
    ))  # fmt: skip
    share = locust.cpu_share * 100
    verdict.rows.append(Row(
        objective="locust CPU (% of one core)",
        target=f"<= {MAX_LOCUST_CPU_SHARE * 100:g}",
        locust=share,
        prometheus=None,
        meets_slo=share <= MAX_LOCUST_CPU_SHARE * 100,
        agree=True,
        unit="%",
    ))  # fmt: skip
    verdict.facts.update({
        "locust_requests": locust.requests,
        "prometheus_requests": prom.requests,
        "load_wall_seconds": round(locust.wall_seconds, 2),
        "load_active_seconds": round(active_seconds, 2),
        "locust_cpu_seconds": round(locust.cpu_seconds, 2),
        "locust_cpu_share_of_one_core": round(locust.cpu_share, 3),
    })  # fmt: skip
    return verdict
