"""`platformctl render ENV`: render the app-of-apps chart and every chart its Applications deploy."""

from __future__ import annotations

import argparse
from pathlib import Path

from platformctl.findings import format_table
from platformctl.render import render_environment


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("render", help="render an environment into build/rendered/<env>")
    parser.add_argument("env", help="dev | staging | prod")
    parser.add_argument("--out", type=Path, help="output folder (default build/rendered/<env>)")
    parser.add_argument("--mirror", help="offline upstream mirror (default $PLATFORM_UPSTREAM_MIRROR)")
    parser.add_argument("--chart-cache", help="folder of upstream chart archives <chart>-<version>.tgz")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    rendered = render_environment(args.env, args.out, mirror=args.mirror, charts=args.chart_cache)
    rows = [
        [app.name, app.wave, app.source, app.chart, app.version, len(app.objects) if app.rendered else "-"]
        for app in sorted(rendered.applications, key=lambda a: (a.wave, a.name))
    ]
    print(format_table(["application", "wave", "source", "chart", "version", "objects"], rows))
    print(f"written to {rendered.out_dir}")
    for finding in rendered.findings:
        print(finding.one_line())
    return 1 if rendered.findings else 0
