"""`platformctl up`: the main job on the embedded defaults. For now: render and validate every
environment and print the summary (later issues add the local data stack)."""

from __future__ import annotations

import argparse

from platformctl.commands.validate import all_findings, print_human, validate
from platformctl.environments import list_environments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("up", help="render and validate every environment, then print the summary")
    parser.add_argument("--mirror", help="offline upstream mirror (default $PLATFORM_UPSTREAM_MIRROR)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    reports = validate([env.name for env in list_environments()], args.mirror, None)
    print_human(reports, all_findings(reports, args.mirror, None))
    return 0 if all(report.clean for report in reports) else 1
