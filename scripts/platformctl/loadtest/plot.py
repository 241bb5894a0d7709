"""PNG of latency over time: locust's p95 (client side, all requests) and Prometheus' p95 per group."""

from __future__ import annotations

import csv
from pathlib import Path

from platformctl.loadtest.slo import SloSpec


def locust_p95_history(history_csv: Path) -> list[tuple[float, float]]:
    """(epoch, p95 ms) of the Aggregated rows of locust's `_stats_history.csv`."""
    points: list[tuple[float, float]] = []
    if not history_csv.is_file():
        return points
    with history_csv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row.get("Name") == "Aggregated" and row.get("95%", "N/A") not in ("N/A", "0", ""):
                points.append((float(row["Timestamp"]), float(row["95%"])))
    return points


def write_latency_plot(
    path: Path, spec: SloSpec, locust_points: list[tuple[float, float]], prom_series: dict[str, list[tuple]]
) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # no display: CI and headless runs
    import matplotlib.pyplot as plt

    starts = [p[0][0] for p in [locust_points, *prom_series.values()] if p]
    origin = min(starts) if starts else 0.0
    figure, axes = plt.subplots(figsize=(10, 5), dpi=100)
    if locust_points:
        axes.plot([t - origin for t, _ in locust_points], [v for _, v in locust_points],
                  color="black", linewidth=2, label="locust p95 (all requests, cumulative)")  # fmt: skip
    for index, (name, points) in enumerate(prom_series.items()):
        color = f"C{index}"
        if points:
            axes.plot([t - origin for t, _ in points], [v for _, v in points], color=color,
                      label=f"prometheus p95 {name}")  # fmt: skip
        axes.axhline(spec.objectives.groups[name].p95_ms, color=color, linestyle="--", linewidth=1,
                     label=f"SLO p95 {name}")  # fmt: skip
    axes.set_xlabel("seconds since load start")
    axes.set_ylabel("latency (ms)")
    axes.set_title(f"{spec.app}: p95 latency during the load test")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize="small", loc="upper right")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path
