"""`platformctl graph ENV [--format text|svg|png] [--out FILE]`: the app-of-apps tree of an env."""

from __future__ import annotations

import argparse
from pathlib import Path

from platformctl.app_graph import tree_text, write_picture
from platformctl.errors import PlatformError
from platformctl.render import render_environment


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("graph", help="draw the app-of-apps tree (waves, projects, dependencies)")
    parser.add_argument("env", help="dev | staging | prod")
    parser.add_argument("--format", choices=["text", "svg", "png"], default="text")
    parser.add_argument("--out", type=Path, help="output file (required for svg/png; text goes to stdout)")
    parser.add_argument("--mirror", help="offline upstream mirror (default $PLATFORM_UPSTREAM_MIRROR)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    rendered = render_environment(args.env, mirror=args.mirror)
    if not rendered.applications:
        problems = "; ".join(f.message for f in rendered.findings) or "no Applications rendered"
        raise PlatformError(f"env {args.env}: {problems}", fix=f"run `platformctl validate {args.env}`")
    if args.format == "text":
        text = tree_text(rendered)
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
        return 0
    if args.out is None:
        raise PlatformError(f"--format {args.format} needs --out FILE", fix="add --out docs/app-of-apps-dev.svg")
    print(f"wrote {write_picture(rendered, args.out, args.format)}")
    return 0
