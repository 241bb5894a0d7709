"""`platformctl promote COMPONENT --from ENV --to ENV`: copy pinned chart versions and image tags."""

from __future__ import annotations

import argparse

from platformctl.environments import get_environment
from platformctl.errors import PlatformError
from platformctl.paths import repo_root
from platformctl.promote.plan import edited_files, plan_image_tag, plan_promotion, unified_diff


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "promote",
        help="copy a component's pinned chart version and image tag from one env to another",
        description=(
            "Copy the pinned chart version (clusters/<env>/platform.yaml) and/or image tag "
            "(<values>/values-<env>.yaml) of COMPONENT, and only those, from --from to --to; print the diff "
            "and write it. Refuses when the source does not pin exactly. With --image-tag instead of --from, "
            "sets a freshly built image tag (what CI does on main for dev)."
        ),
    )
    parser.add_argument("component")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--from", dest="source", metavar="ENV", help="environment to copy the pins from")
    source.add_argument("--image-tag", metavar="TAG", help="immutable tag of an image just pushed")
    parser.add_argument("--to", dest="target", metavar="ENV", required=True, help="environment to change")
    parser.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root()
    target = get_environment(args.target, root)
    if args.image_tag is not None:
        changes = plan_image_tag(args.component, target, args.image_tag)
        origin = f"image tag {args.image_tag}"
    else:
        changes = plan_promotion(args.component, get_environment(args.source, root), target)
        origin = args.source
    if not changes:
        print(f"{args.component}: {target.name} already pins what {origin} pins; nothing to do")
        return 0
    files = edited_files(changes)
    print(unified_diff(files, root), end="")
    for change in changes:
        print(f"{args.component}: {change.what} {change.old or '(unset)'} -> {change.new} ({target.name})")
    if args.dry_run:
        print("dry run: nothing written")
        return 0
    for path, (_, after) in files.items():
        try:
            path.write_text(after, encoding="utf-8")
        except OSError as error:
            raise PlatformError(f"{path}: cannot write: {error.strerror}", fix="check file permissions") from error
    print(f"wrote {len(files)} file(s); review with `git diff` and open a pull request")
    return 0
