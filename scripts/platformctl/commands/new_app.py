"""`platformctl new-app NAME --kind api|pipeline`: scaffold a data app that passes the gates untouched."""

from __future__ import annotations

import argparse

from platformctl.paths import repo_root
from platformctl.scaffold.create import CLASSIFICATIONS, plan_app, write
from platformctl.scaffold.templates import kinds


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "new-app",
        help="scaffold a data app (API or Dagster pipeline) from the project's conventions, registered in every env",
        description=(
            "Create apps/NAME from the project's conventions. --kind api: a Flask API (tests, Dockerfile, values, "
            "SLO, load test) registered as a component in every clusters/<env>/platform.yaml. --kind pipeline: a "
            "Dagster code location (dbt project, asset checks, tests, Dockerfile) registered as a user deployment "
            "in platform/dagster/values*.yaml. Then `make venvs` installs it and `make test` checks it."
        ),
    )
    parser.add_argument("name", help="component name, a DNS label such as sales-api")
    parser.add_argument("--kind", required=True, choices=kinds())
    parser.add_argument("--owner", default="data-engineering", help="team label platform.example/owner")
    parser.add_argument("--data-classification", default="internal", choices=CLASSIFICATIONS)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root()
    plan = plan_app(root, args.name, args.kind, args.owner, args.data_classification)
    write(plan)
    for path in sorted([*plan.files, *plan.registrations]):
        state = "registered in" if path in plan.registrations else "created"
        print(f"{state:13} {path.relative_to(root)}")
    if args.kind == "pipeline":
        print(
            f"next: `make venvs` (installs {args.name} into .venv/pipelines), `make test-pipeline`, `make test`; "
            f"before deploying, create its secrets ({args.name}-snowflake, {args.name}-datahub) as ExternalSecrets"
        )
    else:
        print(f"next: `make venvs` (installs {args.name} into .venv/tooling), then `make test`")
    return 0
