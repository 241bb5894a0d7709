"""`platformctl loadtest APP`: the SLO load gate (locust + a real Prometheus), local or remote."""

from __future__ import annotations

import argparse
from pathlib import Path

from platformctl.paths import build_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "loadtest",
        help="load-test an API and judge its SLO (apps/APP/slo.yaml) from locust and Prometheus",
        description=(
            "Local mode (default): gunicorn + Prometheus on 127.0.0.1, locust headless, both stopped afterwards. "
            "Remote mode: --target URL --prometheus URL, bearer token in $LOADTEST_TOKEN. "
            "Exit 1 when an objective fails or locust and Prometheus disagree beyond slo.yaml `agreement`."
        ),
    )
    parser.add_argument("app", metavar="APP", help="folder under apps/ with slo.yaml and locustfile.py")
    parser.add_argument("--target", help="remote mode: base URL of the deployed API")
    parser.add_argument("--prometheus", help="remote mode: base URL of the Prometheus scraping it")
    parser.add_argument(
        "--scrape-interval", type=float, help="remote mode: the Prometheus scrape interval in seconds (default 30)"
    )
    parser.add_argument("--out", type=Path, help="report folder (default build/loadtest/APP)")
    parser.add_argument("--wsgi", help=argparse.SUPPRESS)  # tests: another WSGI entry point (a degraded app)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from platformctl.loadtest.gate import GateOptions, run_gate

    out = (args.out or build_dir() / "loadtest" / args.app).resolve()
    verdict = run_gate(
        GateOptions(app=args.app, out=out, target=args.target, prometheus=args.prometheus, wsgi=args.wsgi)
    )
    print(f"load gate {args.app} ({verdict.mode}, {verdict.target_url})")
    print(verdict.table())
    facts = verdict.facts
    print(
        f"requests: locust {facts['locust_requests']}, prometheus {facts['prometheus_requests']}; "
        f"locust CPU {facts['locust_cpu_seconds']}s = {facts['locust_cpu_share_of_one_core']:.0%} of one core"
        + (f", {facts['locust_share_of_client_plus_server_cpu']:.0%} of client+server CPU"
           if "locust_share_of_client_plus_server_cpu" in facts else "")
        + f"; gate {facts['gate_wall_seconds']}s wall"
    )  # fmt: skip
    print(f"reports: {out}/verdict.json, locust_stats.csv, locust.html, latency.png")
    if not verdict.passed:
        failed = ", ".join(row.objective for row in verdict.failures())
        print(f"FAIL: {failed}")
        return 1
    print("PASS")
    return 0
