"""The GitHub workflows only run what this repository really provides, and follow its rules.

The workflows are parsed (matrix variants expanded), every `make TARGET` is checked against the targets
GNU make reads from the Makefile, and every `platformctl COMMAND` against the real CLI parser.
"""

from __future__ import annotations

import itertools
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from platformctl.cli import build_parser
from platformctl.environments import get_environment
from platformctl.promote.built_images import built_images
from platformctl.promote.plan import plan_image_tag

_EXPRESSION = re.compile(r"\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}")


@dataclass(frozen=True)
class Invocation:
    """One `make TARGET` or `platformctl COMMAND` a workflow step runs."""

    workflow: str
    job: str
    tool: str  # "make" | "platformctl"
    name: str


def load_workflow(path: Path) -> dict[str, Any]:
    # PyYAML reads the key `on` as the boolean True (YAML 1.1); our workflows quote it.
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict) and "jobs" in document, f"{path}: not a GitHub workflow"
    return document


def matrix_variants(job: dict[str, Any]) -> list[dict[str, str]]:
    """Every combination the job's matrix runs (`include` entries and the cross product of axes)."""
    matrix = (job.get("strategy") or {}).get("matrix") or {}
    if isinstance(matrix, str):  # fromJSON(...) computed at run time: no static values
        return [{}]
    axes = {
        key: values for key, values in matrix.items() if key not in ("include", "exclude") and isinstance(values, list)
    }
    variants = [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())] if axes else []
    include = matrix.get("include", [])
    if isinstance(include, list):  # a string is fromJSON(...) computed at run time
        variants += [{key: str(value) for key, value in entry.items()} for entry in include]
    return variants or [{}]


def invocations(path: Path) -> list[Invocation]:
    """Every make target and platformctl subcommand the workflow's `run` steps call."""
    found: list[Invocation] = []
    for job_name, job in load_workflow(path)["jobs"].items():
        for variant in matrix_variants(job):
            for step in job.get("steps", []):
                script = step.get("run")
                if not script:
                    continue
                script = _EXPRESSION.sub(lambda m, v=variant: v.get(m.group(1), m.group(0)), script)
                for line in script.replace("\\\n", " ").splitlines():
                    found += _commands_in_line(path.name, job_name, line)
    return sorted(set(found), key=lambda i: (i.workflow, i.job, i.tool, i.name))


def _commands_in_line(workflow: str, job: str, line: str) -> list[Invocation]:
    try:
        tokens = shlex.split(line, comments=True)
    except ValueError:
        return []
    result = []
    for index, token in enumerate(tokens):
        arguments = tokens[index + 1 :]
        if token == "make":
            targets = [a for a in arguments if not a.startswith("-") and "=" not in a]
            for target in itertools.takewhile(lambda a: a not in ("&&", "||", ";", "|"), targets):
                result.append(Invocation(workflow, job, "make", target))
        elif Path(token).name == "platformctl" and arguments:
            result.append(Invocation(workflow, job, "platformctl", arguments[0]))
    return result


def make_targets(repo_root: Path) -> set[str]:
    """The targets GNU make itself reads from the Makefile (includes and pattern-free rules)."""
    database = subprocess.run(
        ["make", "--no-print-directory", "-pRrq", "-f", "Makefile", ":"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    targets: set[str] = set()
    not_a_target = False
    for line in database.splitlines():
        if line.startswith("# Not a target"):
            not_a_target = True
            continue
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9_.-]*):(?!=)", line)
        if match and not not_a_target:
            targets.add(match.group(1))
        not_a_target = False
    return targets


def platformctl_commands() -> set[str]:
    parser = build_parser()
    subparsers = next(action for action in parser._actions if action.dest == "command")
    return set(subparsers.choices)


WORKFLOWS = sorted((Path(__file__).resolve().parents[2] / ".github" / "workflows").glob("*.yml"))


def test_there_are_workflows() -> None:
    assert {path.name for path in WORKFLOWS} >= {"pull-request.yml", "main.yml"}


def test_every_make_target_and_platformctl_command_exists(repo_root: Path) -> None:
    targets, commands = make_targets(repo_root), platformctl_commands()
    assert "lint" in targets and "unit" in targets, "the Makefile parser found no targets"
    called = [i for path in WORKFLOWS for i in invocations(path)]
    missing = [
        f"{i.workflow} job {i.job}: `{i.tool} {i.name}` does not exist"
        for i in called
        if (i.tool == "make" and i.name not in targets) or (i.tool == "platformctl" and i.name not in commands)
    ]
    assert called, "no make/platformctl call found in the workflows"
    assert not missing, "\n".join(missing)


def test_a_missing_target_is_detected(tmp_path: Path, repo_root: Path) -> None:
    workflow = tmp_path / "bad.yml"
    workflow.write_text(
        "jobs:\n  gate:\n    strategy: {matrix: {include: [{target: lint}, {target: no-such-target}]}}\n"
        "    steps:\n      - run: make ${{ matrix.target }}\n      - run: .venv/tooling/bin/platformctl nope --all\n"
    )
    found = invocations(workflow)
    assert Invocation("bad.yml", "gate", "make", "no-such-target") in found
    assert Invocation("bad.yml", "gate", "platformctl", "nope") in found
    assert "no-such-target" not in make_targets(repo_root)
    assert "nope" not in platformctl_commands()


def _gate_matrix(workflow: dict) -> dict[str, str]:
    include = workflow["jobs"]["gate"]["strategy"]["matrix"]["include"]
    return {entry["gate"]: entry["target"] for entry in include}


def test_pull_request_runs_every_gate_and_posts_the_diff() -> None:
    workflow = load_workflow(WORKFLOWS[0].parent / "pull-request.yml")
    assert set(workflow["on"]) == {"pull_request"}
    assert set(_gate_matrix(workflow)) == {"lint", "unit", "manifest", "policy", "monitoring", "load"}
    diff_steps = workflow["jobs"]["diff"]["steps"]
    assert any("platformctl diff" in step.get("run", "") and "--markdown" in step["run"] for step in diff_steps)
    assert any(step.get("uses", "").startswith("actions/github-script@") for step in diff_steps)
    assert workflow["jobs"]["diff"]["permissions"]["pull-requests"] == "write"
    assert workflow["permissions"] == {"contents": "read"}, "least privilege by default"


def test_main_pushes_images_with_oidc_and_bumps_dev_tags() -> None:
    workflow = load_workflow(WORKFLOWS[0].parent / "main.yml")
    assert workflow["on"] == {"push": {"branches": ["main"]}}
    image = workflow["jobs"]["image"]
    assert image["permissions"]["id-token"] == "write"
    login = next(step for step in image["steps"] if step.get("uses", "").startswith("azure/login@"))
    assert set(login["with"]) == {"client-id", "tenant-id", "subscription-id"}, "OIDC login takes no secret"
    bump = workflow["jobs"]["bump-dev"]
    assert "image" in bump["needs"]
    assert any("platformctl promote" in s.get("run", "") and "--to dev" in s["run"] for s in bump["steps"])


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_stored_secret_is_used(path: Path) -> None:
    used = set(re.findall(r"secrets\.([A-Za-z0-9_]+)", path.read_text(encoding="utf-8")))
    assert used <= {"GITHUB_TOKEN"}, f"{path.name} reads stored secrets {sorted(used)}: use OIDC and vars"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_a_version(path: Path) -> None:
    for job in load_workflow(path)["jobs"].values():
        for step in job.get("steps", []):
            uses = step.get("uses")
            if uses and not uses.startswith("./"):
                assert re.search(r"@(v\d+|[0-9a-f]{40})$", uses), f"{path.name}: {uses} is not pinned"


def test_main_lists_images_with_the_built_images_module() -> None:
    workflow = load_workflow(WORKFLOWS[0].parent / "main.yml")
    step = next(s for s in workflow["jobs"]["apps"]["steps"] if s.get("id") == "list")
    assert "-m platformctl.promote.built_images" in step["run"]
    image = workflow["jobs"]["image"]
    assert image["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.apps.outputs.images) }}"
    push = next(s for s in image["steps"] if s.get("uses", "").startswith("docker/build-push-action@"))
    assert push["with"]["tags"] == "${{ matrix.repository }}:${{ github.sha }}"


def test_every_built_image_can_be_bumped_in_dev(repo_root: Path) -> None:
    """The dev tag bump after the push must find each image it built, or main would fail after pushing."""
    images = built_images(repo_root)
    dockerfiles = sorted(
        str(p.relative_to(repo_root))
        for pattern in ("apps/*/Dockerfile", "scripts/*/Dockerfile")
        for p in repo_root.glob(pattern)
    )
    assert "scripts/platformctl/Dockerfile" in dockerfiles, "the verification hook's image"
    assert sorted(i["dockerfile"] for i in images) == dockerfiles
    dev = get_environment("dev", repo_root)
    for image in images:
        assert image["repository"].startswith("acrdataplatform.azurecr.io/"), "only the platform registry"
        plan_image_tag(image["image"], dev, "0" * 40)  # raises when the image is pinned nowhere in dev


def test_promotion_waits_for_evidence_and_prod_for_approval() -> None:
    promote = load_workflow(WORKFLOWS[0].parent / "promote.yml")
    job = promote["jobs"]["promote"]
    pairs = {(entry["from"], entry["to"]) for entry in job["strategy"]["matrix"]["include"]}
    assert pairs == {("dev", "staging"), ("staging", "prod")}
    runs = [step.get("run", "") for step in job["steps"]]
    status = next(index for index, run in enumerate(runs) if "platformctl status" in run)
    opening = next(index for index, run in enumerate(runs) if "gh pr create" in run)
    assert status < opening, "the pull request is opened only after the source env is READY"
    assert "--pr-body" in runs[opening] and "--pending" in runs[opening]
    assert job["steps"][opening]["if"] == "steps.live.outputs.ready == 'true'"
    approval = load_workflow(WORKFLOWS[0].parent / "prod-approval.yml")
    assert "prod" in approval["jobs"]["approval"]["environment"], "prod changes wait on the prod environment"
