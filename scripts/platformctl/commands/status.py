"""`platformctl status ENV`: every Application of a live environment, Synced and Healthy at the revision?"""

from __future__ import annotations

import argparse

from platformctl.argocd.api import ArgoCdApi, ArgoCdServer
from platformctl.argocd.live import live_status
from platformctl.argocd.revisions import resolve, same
from platformctl.environments import get_environment
from platformctl.paths import repo_root


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "status",
        help="sync, health, revision and last hook of every Application of a live environment (Argo CD API)",
        description=(
            "Reads the env's Argo CD (ARGOCD_SERVER_<ENV> or ARGOCD_SERVER, token ARGOCD_AUTH_TOKEN_<ENV> or "
            "ARGOCD_AUTH_TOKEN) and compares it with what the repository renders for ENV. Exit 0 only when every "
            "Application is Synced and Healthy at the expected revision and no hook failed; 1 otherwise; 2 when "
            "the server cannot be read."
        ),
    )
    parser.add_argument("env", metavar="ENV")
    parser.add_argument("--revision", default="HEAD", help="revision that must be live (default: HEAD)")
    parser.add_argument("--server", help="Argo CD URL (default: $ARGOCD_SERVER_<ENV>, then $ARGOCD_SERVER)")
    parser.add_argument("--insecure", action="store_true", help="accept a self-signed certificate (port-forward)")
    parser.add_argument("--json", action="store_true", help="print the status as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root()
    environment = get_environment(args.env, root)
    expected = resolve(root, args.revision)
    api = ArgoCdApi(ArgoCdServer.from_environment(environment.name, args.server, args.insecure))
    status = live_status(environment, api, expected, lambda live: same(live, expected))
    if args.json:
        print(status.to_json())
    else:
        print(f"platformctl status {environment.name} ({api.server.url}), expected revision {expected[:12]}")
        print(status.table())
        print(status.summary())
    return 0 if status.ready else 1
