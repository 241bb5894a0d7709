"""`platformctl verify APP --target URL`: the smoke (and bounded load) check a deployed app must pass.

What the app chart's PostSync hook runs in the cluster; a person can run it against any deployment.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from platformctl.paths import build_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="smoke-test a deployed app (health, one authenticated call) and optionally a bounded load test",
        description=(
            "Exit 0 when /healthz and /readyz answer 200 and the first smoke request of apps/APP/slo.yaml answers "
            "2xx with a bearer token ($LOADTEST_TOKEN, or workload identity with --audience), and, with "
            "--load-seconds, the load gate's remote mode passes against --prometheus. Prints one "
            "`verification-verdict: {json}` line."
        ),
    )
    parser.add_argument("app", metavar="APP")
    parser.add_argument("--target", required=True, help="base URL of the app (in the cluster: its Service)")
    parser.add_argument("--prometheus", help="Prometheus scraping the app (needed by --load-seconds)")
    parser.add_argument("--load-seconds", type=int, default=0, help="bounded load test duration (0: smoke only)")
    parser.add_argument("--audience", help="Entra ID audience of the app (workload identity token)")
    parser.add_argument("--scrape-interval", type=float, help="the Prometheus scrape interval in seconds")
    parser.add_argument("--out", type=Path, help="report folder (default build/verify/APP)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from platformctl.loadtest.verify import VerifyOptions, verify

    options = VerifyOptions(
        app=args.app, target=args.target, out=(args.out or build_dir() / "verify" / args.app).resolve(),
        prometheus=args.prometheus, load_seconds=max(args.load_seconds, 0), audience=args.audience,
        scrape_interval_seconds=args.scrape_interval,
    )  # fmt: skip
    result = verify(options)
    for line in result.smoke:
        print(f"verify {args.app}: {line}")
    for line in result.failures:
        print(f"verify {args.app}: FAILED {line}")
    print(result.verdict_line(), flush=True)
    return 0 if result.passed else 1
