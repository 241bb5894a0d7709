"""`platformctl aks check|plan|diff|apply ENV`: the environment's AKS cluster as code (clusters/<env>/cluster.yaml).

The Azure SDK is imported inside the commands, not at module level: the CLI imports every command
module to build its parser, and azure-mgmt-containerservice alone takes ~0.3 s to import.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from platformctl.environments import Environment, get_environment, list_environments
from platformctl.errors import PlatformError
from platformctl.findings import format_table


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("aks", help="plan, diff and apply the AKS cluster of an environment")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    check = actions.add_parser("check", help="check cluster.yaml invariants (offline)")
    check.add_argument("env", nargs="?", help="environment (default: every environment)")
    check.set_defaults(func=run_check)

    plan = actions.add_parser("plan", help="print the exact ARM request bodies built from cluster.yaml (offline)")
    plan.add_argument("env")
    plan.set_defaults(func=run_plan)

    diff = actions.add_parser("diff", help="field-level drift between cluster.yaml and the live cluster")
    diff.add_argument("env")
    diff.add_argument("--exit-code", action="store_true", help="exit 1 when there is drift (for CI)")
    _add_arm_options(diff)
    diff.set_defaults(func=run_diff)

    apply = actions.add_parser("apply", help="show the plan, confirm, then create/update the cluster")
    apply.add_argument("env")
    apply.add_argument("--yes", action="store_true", help="do not ask for confirmation (CI)")
    apply.add_argument(
        "--poll-interval",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="seconds between polls of the long-running operation when ARM sends no Retry-After (default 30)",
    )
    _add_arm_options(apply)
    apply.set_defaults(func=run_apply)


def _add_arm_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--arm-endpoint",
        help="Azure Resource Manager endpoint (default: the public cloud, https://management.azure.com)",
    )


def _cluster_file(env: Environment) -> str:
    return str(env.cluster_file.relative_to(env.root))


def _client(env: Environment, request: Any, args: argparse.Namespace) -> Any:
    from platformctl.aks import arm

    options = {"polling_interval": args.poll_interval} if hasattr(args, "poll_interval") else {}
    return arm.make_client(request.subscription_id, endpoint=args.arm_endpoint, **options)


def run_check(args: argparse.Namespace) -> int:
    from platformctl.aks import invariants

    environments = [get_environment(args.env)] if args.env else list_environments()
    findings = [finding for env in environments for finding in invariants.check_cluster(env)]
    for finding in findings:
        print(finding.one_line())
    checked = ", ".join(env.name for env in environments)
    print(f"aks check: {len(findings)} problem(s) in {checked}")
    return 1 if findings else 0


def print_plan(request: Any) -> None:
    print(f"# aks plan {request.env}: {len(request.bodies())} requests, in the order `aks apply` sends them")
    for target, body in request.bodies().items():
        print(target)
        print(json.dumps(body, indent=2, sort_keys=True))


def run_plan(args: argparse.Namespace) -> int:
    from platformctl.aks import operations

    print_plan(operations.plan(get_environment(args.env)))
    return 0


def run_diff(args: argparse.Namespace) -> int:
    from platformctl.aks import operations

    env = get_environment(args.env)
    request = operations.plan(env)
    drifts = operations.diff(_client(env, request, args), request, _cluster_file(env))
    if not drifts:
        print(f"aks diff {env.name}: no drift ({request.name} matches {_cluster_file(env)})")
        return 0
    rows = [(d.resource, d.field, d.desired, d.live) for d in drifts]
    print(format_table(["RESOURCE", "FIELD", "CLUSTER.YAML", "LIVE"], rows))
    print(f"aks diff {env.name}: {len(drifts)} field(s) drifted; `platformctl aks apply {env.name}` reconciles them")
    return 1 if args.exit_code else 0


def confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        raise PlatformError("refusing to apply without confirmation (stdin is not a terminal)", fix="pass --yes")
    return input(f"{question} [y/N] ").strip().lower() in {"y", "yes"}


def run_apply(args: argparse.Namespace) -> int:
    from platformctl.aks import operations

    env = get_environment(args.env)
    request = operations.plan(env)
    print_plan(request)
    question = f"Apply to {request.name} in subscription {request.subscription_id} ({env.name})?"
    if not args.yes and not confirm(question):
        print("aks apply: cancelled, nothing sent")
        return 1
    result = operations.apply(_client(env, request, args), request, _cluster_file(env))
    print(
        f"aks apply {env.name}: {request.name} {result.provisioning_state}, Kubernetes {result.kubernetes_version}"
        + (f", API server {result.fqdn}" if result.fqdn else "")
    )
    return 0
