"""`platformctl diff --base REF [--head REF] [--env ENV] [--markdown FILE]`: what a change deploys."""

from __future__ import annotations

import argparse
import tempfile
from contextlib import ExitStack
from pathlib import Path

from platformctl.diff import revisions, snapshot
from platformctl.diff.report import DEFAULT_MAX_CHARS, markdown_report, text_report
from platformctl.environments import list_environments
from platformctl.errors import PlatformError
from platformctl.paths import chart_cache, repo_root, upstream_mirror


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="render two revisions and show the object changes per env and Application",
        description=(
            "Render --base and --head (default: the working tree) with the manifest gate's renderer, from "
            "git worktrees, and print per env and Application the added, changed and removed objects with a "
            "unified diff each. Flags deletions, prod, CRDs, PVCs/StatefulSets, AppProject and RBAC changes."
        ),
    )
    parser.add_argument("--base", required=True, metavar="REF", help="revision to compare against, e.g. origin/main")
    parser.add_argument("--head", metavar="REF", help="revision to compare (default: the working tree as it is)")
    parser.add_argument("--env", action="append", metavar="ENV", help="only this env (repeatable); default: all")
    parser.add_argument("--markdown", metavar="FILE", help="also write a pull request comment in Markdown here")
    parser.add_argument("--max-chars", type=int, default=DEFAULT_MAX_CHARS, help="size cap of the Markdown")
    parser.add_argument("--mirror", help="offline upstream mirror (default $PLATFORM_UPSTREAM_MIRROR)")
    parser.add_argument("--chart-cache", help="folder of upstream chart archives <chart>-<version>.tgz")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root()
    known = {env.name for env in list_environments(root)}
    unknown = sorted(set(args.env or []) - known)
    if unknown:
        known_list = ", ".join(sorted(known))
        raise PlatformError(f"unknown environment(s) {', '.join(unknown)}", fix=f"use one of {known_list}")
    options = {
        "mirror": upstream_mirror(args.mirror, root),
        "charts": chart_cache(args.chart_cache, root),
        "cache": root / ".cache" / "render",  # shared by both sides: keyed by chart and values digests
    }
    head_label = args.head or "working tree"
    with ExitStack() as stack:
        out = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="platformctl-diff-out-")))
        base_root = stack.enter_context(revisions.checkout(root, args.base))
        head_root = stack.enter_context(revisions.checkout(root, args.head)) if args.head else root
        base = snapshot.take(base_root, args.env, out / "base", **options)
        head = snapshot.take(head_root, args.env, out / "head", **options)
    diffs = snapshot.compare(base, head)
    problems = [f"head {env}: {line}" for env, lines in head.problems.items() for line in lines]
    print(text_report(diffs, args.base, head_label, problems), end="")
    if args.markdown:
        path = Path(args.markdown)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown_report(diffs, args.base, head_label, problems, args.max_chars), encoding="utf-8")
        print(f"markdown written to {path}")
    return 0
