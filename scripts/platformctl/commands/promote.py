"""`platformctl promote COMPONENT --from ENV --to ENV`: copy pinned chart versions and image tags."""

from __future__ import annotations

import argparse
from pathlib import Path

from platformctl.argocd.api import ArgoCdApi, ArgoCdServer
from platformctl.environments import Environment, get_environment
from platformctl.errors import PlatformError
from platformctl.paths import repo_root
from platformctl.promote.evidence import Evidence, gather, pull_request_body
from platformctl.promote.plan import (
    Change,
    edited_files,
    pending_promotions,
    plan_image_tag,
    plan_promotion,
    unified_diff,
)


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
    parser.add_argument("component", nargs="?", help="component or image name (omit with --pending)")
    parser.add_argument(
        "--pending", action="store_true", help="list the components and images whose pins --from differ from --to"
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--from", dest="source", metavar="ENV", help="environment to copy the pins from")
    source.add_argument("--image-tag", metavar="TAG", help="immutable tag of an image just pushed")
    parser.add_argument("--to", dest="target", metavar="ENV", required=True, help="environment to change")
    parser.add_argument("--dry-run", action="store_true", help="print the diff, write nothing (no evidence needed)")
    parser.add_argument(
        "--force",
        metavar="REASON",
        help="promote without complete evidence of the source env (recorded in the PR body)",
    )
    parser.add_argument("--pr-body", type=Path, metavar="FILE", help="write the evidence as a pull-request body")
    parser.add_argument("--server", help="Argo CD URL of the source env (default: $ARGOCD_SERVER_<ENV>)")
    parser.add_argument("--insecure", action="store_true", help="accept a self-signed certificate (port-forward)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root()
    target = get_environment(args.target, root)
    if args.pending or not args.component:
        if not (args.pending and args.source and not args.component):
            raise PlatformError("give a COMPONENT, or --pending with --from and no component", fix="see --help")
        print("\n".join(pending_promotions(get_environment(args.source, root), target)))
        return 0
    if args.image_tag is not None:
        changes = plan_image_tag(args.component, target, args.image_tag)
        origin = f"image tag {args.image_tag}"
    else:
        source = get_environment(args.source, root)
        changes = plan_promotion(args.component, source, target)
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
    if args.image_tag is None:
        _require_evidence(args, source, target.name, changes, root)
    for path, (_, after) in files.items():
        try:
            path.write_text(after, encoding="utf-8")
        except OSError as error:
            raise PlatformError(f"{path}: cannot write: {error.strerror}", fix="check file permissions") from error
    print(f"wrote {len(files)} file(s); review with `git diff` and open a pull request")
    return 0


def _require_evidence(
    args: argparse.Namespace, source: Environment, target: str, changes: list[Change], root: Path
) -> None:
    """Refuse (PlatformError) unless the source env is proven live with the change, or --force says why."""
    forced = (args.force or "").strip() or None
    if args.force is not None and not forced:
        raise PlatformError("--force needs a reason", fix='--force "why the evidence is not needed"')
    try:
        api = ArgoCdApi(ArgoCdServer.from_environment(source.name, args.server, args.insecure))
        evidence = gather(args.component, source, api)
    except PlatformError as error:
        if not forced:
            raise PlatformError(
                f"cannot prove that {source.name} runs the change: {error.message}",
                fix=f"{error.fix}; or --force REASON" if error.fix else "--force REASON",
            ) from error
        evidence = Evidence(args.component, source.name, "", problems=[f"evidence unavailable: {error.message}"])
    if evidence.proven:
        print(f"evidence: {source.name} runs {evidence.change[:12]}, Synced and Healthy, verification passed")
    elif not forced:
        raise PlatformError(
            f"{source.name} is not proven to run {evidence.change[:12]}: " + "; ".join(evidence.problems),
            fix=f"wait until {source.name} has synced the change and its verification passed "
            f"(`platformctl status {source.name}`), or --force REASON",
        )
    else:
        print(f"evidence incomplete, forced: {forced}")
    if args.pr_body:
        args.pr_body.parent.mkdir(parents=True, exist_ok=True)
        args.pr_body.write_text(pull_request_body(evidence, changes, target, root, forced), encoding="utf-8")
        print(f"pull-request body: {args.pr_body}")
