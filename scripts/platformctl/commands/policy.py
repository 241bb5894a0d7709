"""`platformctl policy ENV|--all`: checkov and the platform's policies over the rendered manifests."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from platformctl.environments import list_environments
from platformctl.errors import PlatformError
from platformctl.paths import upstream_mirror
from platformctl.policy import junit, report, sarif
from platformctl.policy.gate import run_policy


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "policy",
        help="policy gate: checkov (kubernetes, dockerfile, secrets) + policies/ with expiring exceptions",
        description="Run checkov offline over the rendered manifests of each environment, every Dockerfile "
        "and the repository's files (secrets), with the platform's checks from policies/. Exits 1 on any "
        "failure not covered by a valid exception in policies/exceptions.yaml.",
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("env", nargs="?", help="environment (dev, staging, prod)")
    target.add_argument("--all", action="store_true", help="every environment")
    parser.add_argument("--json", action="store_true", help="print every result as JSON instead of tables")
    parser.add_argument("--sarif", metavar="FILE", type=Path, help="also write a SARIF 2.1.0 report")
    parser.add_argument("--junit", metavar="FILE", type=Path, help="also write a JUnit XML report")
    parser.add_argument(
        "--rendered",
        metavar="DIR",
        type=Path,
        help="use an already rendered tree DIR/<env>/ instead of rendering (default: render now)",
    )
    parser.add_argument("--mirror", metavar="DIR", help="offline mirror of upstream charts (default: see README)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    envs = [env.name for env in list_environments()] if args.all else [args.env]
    if args.rendered is not None and not args.rendered.is_dir():
        raise PlatformError(f"--rendered {args.rendered}: no such folder", fix="render first or correct the path")
    result = run_policy(envs, rendered_root=args.rendered, mirror=upstream_mirror(args.mirror))
    if args.sarif:
        args.sarif.parent.mkdir(parents=True, exist_ok=True)
        args.sarif.write_text(sarif.dumps(result), encoding="utf-8")
    if args.junit:
        args.junit.parent.mkdir(parents=True, exist_ok=True)
        args.junit.write_text(junit.to_junit(result), encoding="utf-8")
    failures = result.failures()
    if args.json:
        print(json.dumps([asdict(r) for r in sorted(result.results)], indent=2))
    else:
        print(report.tables(result))
        lines = report.failure_lines(failures)
        if lines:
            print(f"\n{len(lines)} policy failure(s):")
            print("\n".join(lines))
        else:
            print(f"\npolicy: OK ({len(result.results)} results, envs {', '.join(envs)})")
    return 1 if failures else 0
