"""The policy gate: checkov + our checks over every environment, Dockerfiles and the repository.

Per environment one checkov process (framework kubernetes, `-d` on the rendered folder, our checks
from policies/kubernetes); for the repository one process running the dockerfile and secrets
frameworks over the checkout (checkov needs ~2.5 s of CPU just to start). They run two at a time
(the CI machine has two cores). Value-level rules cover upstream charts that were not rendered, the
admission check reads cluster.yaml, then exceptions are applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from platformctl.admission.gate import owns as admission_owns
from platformctl.environments import Environment, list_environments
from platformctl.errors import PlatformError
from platformctl.paths import build_dir, relative_path, repo_root
from platformctl.policy import checkov
from platformctl.policy.admission import check_admission
from platformctl.policy.catalogue import (
    DOCKERFILE_FIX,
    DOCKERFILE_SKIPPED,
    RENDERED_CHECK,
    SECRETS_FIX,
    kubernetes_checks_for,
    spec_for,
)
from platformctl.policy.context import build_context, registries, stateful_components, write_context
from platformctl.policy.exceptions import EXCEPTIONS_FILE, PolicyException, apply_exceptions, load_exceptions
from platformctl.policy.inputs import ROOT_FOLDER, EnvironmentInput, load_input, render, write_scan_tree
from platformctl.policy.results import FAILED, PolicyResult, object_from_checkov_resource, rule_result
from platformctl.policy.upstream_values import check_upstream_values

POLICIES_DIR = "policies/kubernetes"
CONTEXT_ENV_VAR = "PLATFORM_POLICY_CONTEXT"
PARALLEL_PROCESSES = 2
# Never scanned for secrets or Dockerfiles: local state re-created by `make setup` (git-ignored).
# An inline `checkov:skip` (comment or checkov.io/skip annotation) has no owner, reason check or expiry:
# the gate counts it as a failure and points at policies/exceptions.yaml instead.
INLINE_SKIP_FIX = "remove the inline checkov:skip; fix the finding or add an exception to policies/exceptions.yaml"
SKIPPED_PATHS = (r"\.venv", r"\.tools", r"\.cache", r"(^|/)build/", r"\.git/", r"node_modules")


@dataclass
class PolicyReport:
    envs: list[str]
    results: list[PolicyResult] = field(default_factory=list)

    def failures(self) -> list[PolicyResult]:
        return [r for r in self.results if r.status == FAILED]

    def for_env(self, env: str) -> list[PolicyResult]:
        return sorted(r for r in self.results if r.env == env)


def kubernetes_run(scan_dir: Path, env: str, root: Path, context_file: Path) -> checkov.CheckovRun:
    return checkov.CheckovRun(
        frameworks=("kubernetes",),
        arguments=("-d", "."),
        cwd=scan_dir,
        checks=tuple(check.id for check in kubernetes_checks_for(env)),
        external_checks_dir=root / POLICIES_DIR,
        extra_env=((CONTEXT_ENV_VAR, str(context_file)),),
    )


def _status_and_fix(record: checkov.CheckovRecord, fix: str) -> tuple[str, str]:
    if record.status == "SKIPPED":
        return FAILED, INLINE_SKIP_FIX
    return record.status, fix


def _kubernetes_results(
    env_input: EnvironmentInput, scan_dir: Path, records: list[checkov.CheckovRecord], root: Path
) -> list[PolicyResult]:
    results = []
    for record in records:
        relative = record.file_path.lstrip("/")
        application = relative.split("/", 1)[0] if "/" in relative else ""
        spec = spec_for(record.check_id)
        status, fix = _status_and_fix(record, spec.fix if spec else record.check_name)
        results.append(
            PolicyResult(
                env=env_input.name,
                framework="kubernetes",
                check_id=record.check_id,
                object=object_from_checkov_resource(record.resource),
                application=application,
                file=relative_path(scan_dir / relative, root),
                line=record.line,
                status=status,
                title=spec.intent if spec else record.check_name,
                fix=fix,
            )
        )
    return results


def _file_results(framework: str, records: list[checkov.CheckovRecord], kind: str, fix: str) -> list[PolicyResult]:
    results = []
    for record in records:
        status, record_fix = _status_and_fix(record, fix if framework == "secrets" else f"{record.check_name}: {fix}")
        results.append(
            PolicyResult(
                env="",
                framework=framework,
                check_id=record.check_id,
                object=f"{kind}/{record.file_path.lstrip('/')}",
                application="",
                file=record.file_path.lstrip("/"),
                line=record.line,
                status=status,
                title=record.check_name,
                fix=record_fix,
            )
        )
    return results


def _run_all(runs: Sequence[checkov.CheckovRun]) -> list[list[checkov.CheckovRecord]]:
    """Run checkov processes, PARALLEL_PROCESSES at a time, results in the order of `runs`."""
    results: list[list[checkov.CheckovRecord] | None] = [None] * len(runs)
    pending = list(enumerate(runs))
    active: list[tuple[int, checkov.CheckovRun, object]] = []
    try:
        while pending or active:
            while pending and len(active) < PARALLEL_PROCESSES:
                index, run = pending.pop(0)
                active.append((index, run, checkov.start(run)))
            index, run, process = active.pop(0)
            results[index] = checkov.finish(run, process)  # type: ignore[arg-type]
    finally:
        for _, _, process in active:
            process.kill()  # type: ignore[attr-defined]
            process.wait()  # type: ignore[attr-defined]
    return [r or [] for r in results]


def _rendered_results(env_input: EnvironmentInput, root: Path) -> list[PolicyResult]:
    """One result per in-repo Application: PASSED when rendered, FAILED when its manifest is missing."""
    root_file = relative_path(env_input.rendered_dir / ROOT_FOLDER / "applications.yaml", root)
    names = sorted({*env_input.objects_by_application, *env_input.in_repo_unrendered} - {ROOT_FOLDER})
    return [
        rule_result(
            RENDERED_CHECK,
            env=env_input.name,
            framework="render",
            object=f"Application/argocd/{name}",
            application=name,
            file=root_file,
            passed=name not in env_input.in_repo_unrendered,
            fix=RENDERED_CHECK.fix.replace("<env>", env_input.name),
        )
        for name in names
    ]


def _check_rendered(env_input: EnvironmentInput) -> None:
    if not env_input.root_objects:
        raise PlatformError(
            f"{env_input.rendered_dir / ROOT_FOLDER}: no Application rendered for {env_input.name}",
            fix=f"run `platformctl render {env_input.name}` and fix its errors first",
        )


def judgeable_in(inputs: Sequence[EnvironmentInput]) -> Callable[[PolicyException], bool]:
    """An entry can be stale only where its Application was rendered: one for an upstream chart absent
    from the chart cache (offline CI) covers what the chart-cache run finds, and matching nothing
    offline proves nothing. Entries without an Application are always judged."""
    unrendered = {(env_input.name, app.name) for env_input in inputs for app in env_input.upstream_unrendered}
    ran = [env_input.name for env_input in inputs]

    def judgeable(exception: PolicyException) -> bool:
        scope = [env for env in ran if not exception.envs or env in exception.envs]
        return not any((env, exception.application) in unrendered for env in scope)

    return judgeable


def run_policy(
    env_names: Sequence[str],
    *,
    rendered_root: Path | None = None,
    mirror: Path | None = None,
    today: dt.date | None = None,
    root: Path | None = None,
    renderer: Callable[[Environment], Path] = render,
) -> PolicyReport:
    """The whole gate for `env_names`; `rendered_root` (holding <env>/) skips rendering."""
    root = root or repo_root()
    environments = {env.name: env for env in list_environments(root)}
    unknown = [name for name in env_names if name not in environments]
    if unknown:
        raise PlatformError(
            f"unknown environment(s) {', '.join(unknown)} (known: {', '.join(environments)})", fix="pick a known env"
        )
    inputs: list[EnvironmentInput] = []
    scan_dirs: list[Path] = []
    runs: list[checkov.CheckovRun] = []
    for name in env_names:
        environment = environments[name]
        rendered_dir = rendered_root / name if rendered_root else renderer(environment)
        env_input = load_input(environment, rendered_dir)
        _check_rendered(env_input)
        context = build_context(
            name,
            registries(environment),
            env_input.objects,
            env_input.root_objects,
            stateful_components(env_input.components),
        )
        work_dir = build_dir(root) / "policy" / name
        context_file = write_context(context, work_dir / "context.json")
        scan_dir = write_scan_tree(env_input, work_dir / "manifests")
        inputs.append(env_input)
        scan_dirs.append(scan_dir)
        runs.append(kubernetes_run(scan_dir, name, root, context_file))

    runs.append(
        checkov.CheckovRun(
            frameworks=("dockerfile", "secrets"),
            arguments=("-d", ".", *(a for p in SKIPPED_PATHS for a in ("--skip-path", p))),
            cwd=root,
            skip_checks=tuple(DOCKERFILE_SKIPPED),
        )
    )

    records = _run_all(runs)
    results: list[PolicyResult] = []
    for env_input, scan_dir, env_records in zip(inputs, scan_dirs, records, strict=False):
        results += _kubernetes_results(env_input, scan_dir, env_records, root)
        results += check_upstream_values(env_input.name, env_input.upstream_unrendered, mirror, root)
        results += check_admission(env_input.environment, env_input.objects)
        results += _rendered_results(env_input, root)
    repository_records = records[len(inputs)]
    dockerfile_records = [r for r in repository_records if r.framework == "dockerfile"]
    secrets_records = [r for r in repository_records if r.framework == "secrets"]
    results += _file_results("dockerfile", dockerfile_records, "Dockerfile", DOCKERFILE_FIX)
    results += _file_results("secrets", secrets_records, "File", SECRETS_FIX)

    exceptions, problems = load_exceptions(root / EXCEPTIONS_FILE)
    exceptions = [e for e in exceptions if not admission_owns(e.check)]  # judged by `platformctl validate`
    results = apply_exceptions(
        results,
        exceptions,
        problems,
        list(env_names),
        list(environments),
        today or dt.date.today(),
        judgeable=judgeable_in(inputs),
    )
    return PolicyReport(envs=list(env_names), results=results)
