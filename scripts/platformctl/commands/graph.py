"""`platformctl graph ENV [--format text|svg|png] [--out FILE]`: the app-of-apps tree of an env.

It runs the manifest gate first (`run_gates`), so the tree also marks the first sync wave that
would stall on a fresh cluster and why (the sync gate, fed by every other gate's findings).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from platformctl.app_graph import tree_text, write_picture
from platformctl.errors import PlatformError
from platformctl.gate import run_gates


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("graph", help="draw the app-of-apps tree (waves, projects, dependencies, stalls)")
    parser.add_argument("env", help="dev | staging | prod")
    parser.add_argument("--format", choices=["text", "svg", "png"], default="text")
    parser.add_argument("--out", type=Path, help="output file (required for svg/png; text goes to stdout)")
    parser.add_argument("--mirror", help="offline upstream mirror (default $PLATFORM_UPSTREAM_MIRROR)")
    parser.add_argument("--chart-cache", help="folder of upstream chart archives <chart>-<version>.tgz")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.format != "text" and args.out is None:
        raise PlatformError(f"--format {args.format} needs --out FILE", fix="add --out docs/app-of-apps-dev.svg")
    report = run_gates(args.env, mirror=args.mirror, charts=args.chart_cache)
    rendered = report.rendered
    if rendered is None or not rendered.applications:
        problems = "; ".join(f.message for f in report.findings if f.gate == "render") or "no Applications rendered"
        raise PlatformError(f"env {args.env}: {problems}", fix=f"run `platformctl validate {args.env}`")
    stall = report.sync.stall if report.sync else None
    if args.format == "text":
        text = tree_text(rendered, stall)
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
        return 0
    print(f"wrote {write_picture(rendered, args.out, args.format, stall)}")
    return 0
