"""`platformctl validate ENV|--all [--json]`: the offline manifest and admission gates; exit 0 only when clean."""

from __future__ import annotations

import argparse

from platformctl.environments import list_environments
from platformctl.findings import Finding, to_json
from platformctl.gate import EnvReport, run_gates, summary_table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate", help="render and validate environments (schema, values, graph, admission)"
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("env", nargs="?", help="dev | staging | prod")
    target.add_argument("--all", action="store_true", help="every environment")
    parser.add_argument("--json", action="store_true", help="print the findings as a JSON list")
    parser.add_argument("--mirror", help="offline upstream mirror (default $PLATFORM_UPSTREAM_MIRROR)")
    parser.add_argument("--chart-cache", help="folder of upstream chart archives <chart>-<version>.tgz")
    parser.set_defaults(func=run)


def validate(names: list[str], mirror: str | None, charts: str | None) -> list[EnvReport]:
    return [run_gates(name, mirror=mirror, charts=charts) for name in names]


def print_human(reports: list[EnvReport]) -> None:
    findings: list[Finding] = []
    for report in reports:
        print(summary_table(report))
        print()
        findings += report.findings
    for finding in findings:
        print(finding.one_line())
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    verdict = "PASSED" if errors == 0 else "FAILED"
    print(f"\nvalidate {verdict}: {len(reports)} env(s), {errors} error(s), {warnings} warning(s)")


def run(args: argparse.Namespace) -> int:
    names = [env.name for env in list_environments()] if args.all else [args.env]
    reports = validate(names, args.mirror, args.chart_cache)
    if args.json:
        print(to_json([f for report in reports for f in report.findings]))
    else:
        print_human(reports)
    return 0 if all(report.clean for report in reports) else 1
