"""`platformctl validate ENV|--all [--json]`: the offline manifest and admission gates; exit 0 only when clean."""

from __future__ import annotations

import argparse

from platformctl.charts.check import coverage_finding
from platformctl.environments import list_environments
from platformctl.findings import Finding, to_json
from platformctl.gate import EnvReport, run_gates, summary_table
from platformctl.paths import chart_cache, upstream_mirror


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


def all_findings(reports: list[EnvReport], mirror: str | None, charts: str | None) -> list[Finding]:
    """Every env's findings, each printed once (lock and chart cache findings carry no env), then the
    one line saying which upstream charts were not rendered."""
    findings = list(dict.fromkeys(f for report in reports for f in report.findings))
    rendered = [report.rendered for report in reports if report.rendered]
    coverage = coverage_finding(rendered, upstream_mirror(mirror), chart_cache(charts))
    return findings + ([coverage] if coverage else [])


def print_human(reports: list[EnvReport], findings: list[Finding]) -> None:
    for report in reports:
        print(summary_table(report))
        print()
    for finding in findings:
        print(finding.one_line())
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    verdict = "PASSED" if errors == 0 else "FAILED"
    print(f"\nvalidate {verdict}: {len(reports)} env(s), {errors} error(s), {warnings} warning(s)")


def run(args: argparse.Namespace) -> int:
    names = [env.name for env in list_environments()] if args.all else [args.env]
    reports = validate(names, args.mirror, args.chart_cache)
    findings = all_findings(reports, args.mirror, args.chart_cache)
    if args.json:
        print(to_json(findings))
    else:
        print_human(reports, findings)
    return 0 if all(report.clean for report in reports) else 1
