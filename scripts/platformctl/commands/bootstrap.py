"""`platformctl bootstrap ENV [--dry-run]`: install Argo CD on the env's cluster and hand it the root Application."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from platformctl.aks import bootstrap
from platformctl.environments import get_environment
from platformctl.errors import PlatformError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bootstrap", help="install Argo CD, apply .argocd/bootstrap/<env>.yaml, report the root Application"
    )
    parser.add_argument("env")
    parser.add_argument("--dry-run", action="store_true", help="print every step and manifest; touch no cluster")
    parser.add_argument("--kubeconfig", help="kubeconfig of the env's cluster (default: $KUBECONFIG)")
    parser.add_argument("--context", help="kubeconfig context (default: the current context)")
    parser.add_argument("--mirror", help="offline upstream mirror (default: $PLATFORM_UPSTREAM_MIRROR)")
    parser.add_argument(
        "--timeout",
        type=int,
        default=bootstrap.ROOT_APP_TIMEOUT_SECONDS,
        help="seconds to wait for the root Application to be Synced and Healthy",
    )
    parser.set_defaults(func=run)


def _print_manifest(path: Path, root: Path) -> None:
    print(f"--- # {path.relative_to(root)}")
    print(path.read_text(encoding="utf-8").rstrip())


def run(args: argparse.Namespace) -> int:
    env = get_environment(args.env)
    kubeconfig = args.kubeconfig or os.environ.get("KUBECONFIG")
    if not kubeconfig and not args.dry_run:
        raise PlatformError(
            "no kubeconfig for the cluster",
            fix=f"pass --kubeconfig or set KUBECONFIG (`az aks get-credentials -g <rg> -n <cluster>` for {env.name})",
        )
    mirror = Path(args.mirror) if args.mirror else None
    plan = bootstrap.plan_bootstrap(env, kubeconfig=kubeconfig, context=args.context, mirror=mirror)
    mode = "dry run: nothing is sent to a cluster" if args.dry_run else f"kubeconfig {kubeconfig}"
    print(f"# bootstrap {env.name} ({mode}): {len(plan.steps)} steps")
    *commands, wait_step = plan.steps
    for number, step in enumerate(plan.steps, start=1):
        print(f"step {number}/{len(plan.steps)}: {step.title}")
        for argv in step.commands():
            print("  $ " + " ".join(argv))
        if args.dry_run:
            for path in step.manifest_files:
                _print_manifest(path, env.root)
            if step.secret is not None:
                print(f"--- # Secret {step.secret.namespace}/{step.secret.name} (stdin; values read from Key Vault)")
                print(step.secret.redacted_manifest().rstrip())
    if args.dry_run:
        rendered = bootstrap.render_chart_if_cached(plan, bootstrap.run_command)
        chart = plan.install.chart
        if rendered is None:
            print(f"# chart {chart.name}-{chart.version}.tgz not cached: Argo CD objects not rendered")
        else:
            print(f"# helm template of {chart.name} {chart.version} with the values above:")
            print(rendered.rstrip())
        print(f"bootstrap {env.name}: dry run complete, {len(plan.steps)} steps printed")
        return 0
    for number, step in enumerate(commands, start=1):
        print(f"running step {number}: {step.title}")
        if step.secret is not None:
            bootstrap.run_secret_step(
                step, bootstrap.run_command, lambda argv, text: bootstrap.run_command(argv, stdin=text)
            )
        else:
            bootstrap.run_command(step.argv)
    print(f"running step {len(plan.steps)}: {wait_step.title}")
    status = bootstrap.wait_for_root_app(wait_step, bootstrap.run_command, timeout=args.timeout)
    verdict = "ready" if status.ready else "NOT ready"
    print(
        f"bootstrap {env.name}: root Application {plan.root_app.name} {verdict}: "
        f"sync {status.sync}, health {status.health}" + (f" ({status.message})" if status.message else "")
    )
    return 0 if status.ready else 1
