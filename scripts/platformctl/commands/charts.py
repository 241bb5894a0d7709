"""`platformctl charts pull [--record]`: every pinned upstream chart into the chart cache, verified.

Exit 0 when every chart is cached and verified (or skipped because the lock does not know its
digest: a warning, values-checked only), 1 when one is refused (digest mismatch, no lock entry) or
cannot be pulled (unknown version, network).
"""

from __future__ import annotations

import argparse

from platformctl.charts.lock import ChartLock, published_digests
from platformctl.charts.pins import all_pins
from platformctl.charts.pull import PullResult, pull_charts
from platformctl.findings import format_table
from platformctl.paths import chart_cache, relative_path, repo_root, upstream_mirror


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("charts", help="upstream chart archives: pull into the chart cache, verified")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    pull = actions.add_parser("pull", help="helm pull every pinned chart, verified against clusters/charts.lock.yaml")
    pull.add_argument("--chart-cache", help="destination folder (default $PLATFORM_CHART_CACHE, else .cache/charts)")
    pull.add_argument(
        "--record",
        action="store_true",
        help="record the digest of charts the lock lacks or has as null: the published one from the mirror "
        "(verified on download), else the first download's (trust on first use); review before committing",
    )
    pull.add_argument("--mirror", help="upstream mirror (CRD API versions for the root render; published digests)")
    pull.set_defaults(func=run_pull)


def run_pull(args: argparse.Namespace) -> int:
    root = repo_root()
    mirror = upstream_mirror(args.mirror, root)
    pins = all_pins(root, mirror)
    cache = chart_cache(args.chart_cache, root)
    published = published_digests(mirror) if args.record else {}
    results = pull_charts(list(pins), ChartLock.load(root), cache, root=root, record=args.record, published=published)
    print_results(results, pins)
    print(f"chart cache: {relative_path(cache, root)}")
    return 1 if any(result.severity == "error" for result in results) else 0


def print_results(results: list[PullResult], pins: dict) -> None:
    rows = [[r.pin.name, r.pin.version, r.status, ", ".join(pins.get(r.pin, []))] for r in results]
    print(format_table(["chart", "version", "result", "pinned by"], rows))
    for result in results:
        label = {"error": "ERROR", "warning": "WARNING"}.get(result.severity, "ok")
        line = f"{label} {result.pin}: {result.detail}"
        print(line + (f" -> fix: {result.fix}" if result.fix else ""))
