"""`platformctl monitoring`: rules and dashboards as code, checked with promtool and a running app."""

from __future__ import annotations

import argparse

from platformctl.findings import errors, to_json
from platformctl.paths import repo_root


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "monitoring",
        help="check and unit-test alert rules (promtool), lint dashboards, compare with the apps' /metrics",
    )
    parser.add_argument("--no-scrape", action="store_true", help="skip starting the apps to compare metrics")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from platformctl.monitoring.gate import run_gate

    report = run_gate(repo_root(), scrape_apps=not args.no_scrape)
    if args.json:
        print(to_json(report.findings))
    else:
        for finding in sorted(report.findings):
            print(finding.one_line())
        checked = ", ".join(f"{count} {what}" for what, count in report.counts.items())
        print(f"monitoring: checked {checked}; {len(errors(report.findings))} error(s)")
    return 1 if errors(report.findings) else 0
