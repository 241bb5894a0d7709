"""The admission gate: would the API server admit every pod the environment renders?

Each pod template of each rendered Application is judged by what admits pods on AKS:
- the Pod Security Admission, at the level its namespace enforces (namespaces.py, pss/), an error;
- the Azure Policy add-on with the initiative of cluster.yaml (azure/), unless the namespace is
  excluded: effect deny is an error, audit a warning, disabled nothing.
One finding per workload and rule, naming the containers and fields. A finding that an upstream chart
cannot fix through its values is covered by an entry of policies/exceptions.yaml (check `PSS_<id>` or
`AZP_<referenceId>`, object `Kind/namespace/name`), the policy gate's mechanism: an expired entry stops
covering, and one that matches nothing in an env it applies to is stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from platformctl.admission import pss
from platformctl.admission.azure.initiative import Initiative, initiative_of
from platformctl.admission.azure.policies import POLICIES
from platformctl.admission.namespaces import PodSecurity, namespace_labels, parse_version, pod_security
from platformctl.admission.pods import PodTemplate, pod_templates
from platformctl.admission.violations import Part, describe
from platformctl.environments import Environment
from platformctl.errors import PlatformError
from platformctl.findings import Finding
from platformctl.paths import relative_path
from platformctl.policy.exceptions import EXCEPTIONS_FILE, PolicyException, apply_exceptions, load_exceptions
from platformctl.policy.results import EXCEPTED, FAILED, PolicyResult
from platformctl.render import RenderedApplication, RenderedEnvironment

GATE = "admission"
PSS_PREFIX = "PSS_"
AZURE_PREFIX = "AZP_"


def owns(check_id: str) -> bool:
    """True for the exception check ids this gate judges (the policy gate leaves them alone)."""
    return check_id.startswith((PSS_PREFIX, AZURE_PREFIX))


@dataclass(frozen=True)
class Rejection:
    """One rule that rejects one pod template."""

    check_id: str
    rule: str  # e.g. 'pod-security restricted (host namespaces) of namespace ingress'
    parts: tuple[Part, ...]
    fix: str
    severity: str


def judge(pod: PodTemplate, security: PodSecurity, initiative: Initiative | None) -> Iterator[Rejection]:
    """Every rule of the namespace's Pod Security level and of the initiative that rejects `pod`."""
    for check, check_pod in pss.checks_for(security.level, security.version):
        parts = check_pod(pod)
        if parts:
            rule = f"pod-security {security.level} ({check.reason}) of namespace {pod.namespace}"
            yield Rejection(PSS_PREFIX + check.id, rule, tuple(parts), check.fix, "error")
    if (
        initiative is None
        or not initiative.restricted
        or not initiative.severity
        or not initiative.covers(pod.namespace)
    ):
        return
    for policy in POLICIES:
        parts = policy.evaluate(pod, initiative)
        if parts:
            rule = f"Azure Policy {policy.reference_id} (initiative {initiative.name}, effect {initiative.effect})"
            yield Rejection(AZURE_PREFIX + policy.reference_id, rule, tuple(parts), policy.fix, initiative.severity)


def _result(env: str, app: RenderedApplication, pod: PodTemplate, rejection: Rejection, file: str) -> PolicyResult:
    hook = f"{pod.hook} hook: " if pod.hook else ""
    return PolicyResult(
        env=env,
        framework=GATE,
        check_id=rejection.check_id,
        object=f"{pod.kind}/{pod.namespace}/{pod.name}",
        application=app.name,
        file=file,
        line=0,
        status=FAILED,
        title=f"{hook}{describe(rejection.parts)} is forbidden by {rejection.rule} [{rejection.check_id}]",
        fix=rejection.fix,
    )


def _finding(env: str, result: PolicyResult, severity: dict[PolicyResult, str]) -> Finding:
    if result.framework == GATE:
        kind, _, name = result.object.split("/", 2)
        return Finding(
            GATE, env, result.application, kind, name, result.file, result.title, result.fix, severity[result]
        )
    # a problem of an exception entry (expired, stale)
    where = f"{result.file}:{result.line}" if result.line else result.file
    return Finding(GATE, env, "", "Exception", result.object.split("/", 1)[-1], where, result.title, result.fix)


def _exceptions_for(exceptions: list[PolicyException], env: str) -> list[PolicyException]:
    """This gate's entries that apply to `env`."""
    return [e for e in exceptions if owns(e.check) and (not e.envs or env in e.envs)]


def _judgeable(rendered: RenderedEnvironment) -> Callable[[PolicyException], bool]:
    """An entry can be stale only if its workloads were rendered here: its Application (or, for an entry
    without one, every Application); an upstream chart absent from the chart cache proves nothing."""
    rendered_apps = {app.name for app in rendered.applications if app.rendered}
    everything = all(app.rendered for app in rendered.applications)
    return lambda exception: exception.application in rendered_apps if exception.application else everything


def _label_findings(env: str, labels: dict[str, dict], version: tuple[int, int]) -> list[Finding]:
    """One finding per namespace whose Pod Security labels the API server cannot read."""
    findings = []
    for namespace, ns_labels in sorted(labels.items()):
        problem = pod_security(ns_labels, version).problem
        if problem:
            message = (
                f"invalid Pod Security labels: {problem}; the API server enforces restricted at the latest version"
            )
            fix = "set the enforce label to privileged|baseline|restricted and enforce-version to latest|v1.<minor>"
            findings.append(Finding(GATE, env, "", "Namespace", namespace, "", message, fix))
    return findings


def _initiative_findings(env: str, initiative: Initiative | None, cluster_file: str) -> list[Finding]:
    """A warning when cluster.yaml assigns an initiative whose policies this gate does not model."""
    if initiative is None or initiative.restricted:
        return []
    message = f"initiative {initiative.definition_id} is not modelled: its policies are not checked on the pods"
    fix = "assign the restricted pod security initiative, or model this one in platformctl/admission/azure/"
    return [Finding(GATE, env, "", "AksCluster", initiative.name, cluster_file, message, fix, "warning")]


def check_admission(
    rendered: RenderedEnvironment, environment: Environment, today: dt.date | None = None
) -> list[Finding]:
    """The admission findings of one rendered environment (see the module docstring)."""
    env, root = rendered.env, environment.root
    version = parse_version(rendered.kubernetes_version)
    labels = namespace_labels(rendered.applications)
    initiative = initiative_of(environment.cluster)
    findings = _label_findings(env, labels, version)
    findings += _initiative_findings(env, initiative, relative_path(environment.cluster_file, root))
    severity: dict[PolicyResult, str] = {}
    for app in rendered.applications:
        file = relative_path(app.manifest_file, root) if app.manifest_file else app.chart
        for pod in pod_templates(app.objects, app.namespace):
            for rejection in judge(pod, pod_security(labels.get(pod.namespace), version), initiative):
                severity[_result(env, app, pod, rejection, file)] = rejection.severity
    try:
        exceptions, _ = load_exceptions(root / EXCEPTIONS_FILE)  # shape problems: the policy gate reports them
    except PlatformError as error:
        return [*findings, Finding(GATE, env, "", "", "", EXCEPTIONS_FILE, error.message, error.fix or "")]
    judged = apply_exceptions(
        list(severity),
        _exceptions_for(exceptions, env),
        [],
        [env],
        [env],
        today or dt.date.today(),
        judgeable=_judgeable(rendered),
    )
    findings += [_finding(env, r, severity) for r in judged if r.status != EXCEPTED]
    return findings
