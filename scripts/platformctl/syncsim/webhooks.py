"""Admission webhooks with failurePolicy Fail that reject objects of their own Application's sync.

A webhook configuration is live as soon as Argo CD applies it. From then on, the API server calls it
for every matching object; with failurePolicy Fail (the v1 default) an unreachable or untrusted
webhook rejects the object, the sync fails and no later step (hence no PostSync hook) runs. The
webhook serves only once (1) the workload behind its Service is Healthy, which Argo CD waits for at
the end of the step that applies it, and (2) the API server trusts its certificate: a `caBundle` in
the object, cert-manager's CA injection, or a hook that patches it in (e.g. kube-webhook-certgen's
`patch` Job). A patch hook that only runs after the objects it would unblock is a deadlock that no
retry heals; a Service not ready yet fails the first attempt only, which `syncPolicy.retry` heals.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformctl.findings import Finding
from platformctl.paths import relative_path
from platformctl.selectors import matches as selector_matches
from platformctl.syncsim.health import Blocker
from platformctl.syncsim.model import AppSync, SyncModel
from platformctl.syncsim.order import SyncTask
from platformctl.syncsim.selectors import labels_of, pod_template_labels, resource_of

WEBHOOK_KINDS = frozenset({"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"})
# The API server never sends these to admission webhooks (so a webhook cannot lock itself out).
NEVER_INTERCEPTED = WEBHOOK_KINDS | {"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"}
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet"})
CA_INJECTION_ANNOTATIONS = (
    "cert-manager.io/inject-ca-from",
    "cert-manager.io/inject-ca-from-secret",
    "cert-manager.io/inject-apiserver-ca",
)
NEVER = 10**9  # a step index no sync reaches


@dataclass(frozen=True)
class Readiness:
    step: int  # first step index at which the webhook answers
    why: str  # what it waits for
    healed_by_retry: bool  # True when a retried sync finds it serving
    caused_by: str = ""  # the gate whose finding is the root cause ("": this gate's own finding)


Known = Mapping[tuple[str, str, str], str]  # (application, kind, name) -> gate of the finding that breaks it


def check_webhooks(model: SyncModel, broken: Known, root: Path | None = None) -> tuple[list[Finding], list[Blocker]]:
    """Findings for webhook configurations that reject objects of their own sync, and blockers for those
    that do so only because of another gate's root cause (`broken`: workloads that never become Healthy,
    Services with a wrong selector or port), which stay that gate's finding."""
    findings: list[Finding] = []
    blockers: list[Blocker] = []
    for sync in model.apps:
        for index, task in enumerate(sync.tasks):
            if task.kind in WEBHOOK_KINDS:
                _check(model, sync, index, broken, root, findings, blockers)
    return findings, blockers


def _check(
    model: SyncModel,
    sync: AppSync,
    index: int,
    broken: Known,
    root: Path | None,
    findings: list[Finding],
    blockers: list[Blocker],
) -> None:
    configuration = sync.tasks[index]
    step, group = sync.position(index)
    for webhook in configuration.obj.get("webhooks") or []:
        if (webhook.get("failurePolicy") or "Fail") != "Fail":
            continue
        readiness = _readiness(model, sync, index, webhook, broken)
        if readiness is None or readiness.step <= step:
            continue
        intercepted = [
            task
            for position, task in enumerate(sync.tasks)
            if (step, group) < sync.position(position)
            and sync.position(position)[0] < readiness.step
            and _matches(model, webhook, task)
        ]
        if not intercepted:
            continue
        first = intercepted[0]
        names = ", ".join(t.label for t in intercepted[:3]) + (", ..." if len(intercepted) > 3 else "")
        rejects = f"rejects {len(intercepted)} object(s) of the same sync applied after it ({names}"
        if readiness.caused_by:
            reason = f"{rejects}) because {readiness.why}"
            blockers.append(Blocker(sync.app.name, configuration.kind, configuration.name, reason, readiness.caused_by))
            return
        severity = "warning" if readiness.healed_by_retry and sync.retried else "error"
        consequence = (
            f"the first attempt fails and syncPolicy.retry (limit {sync.retry_limit}) applies them again"
            if severity == "warning"
            else "the sync fails and never gets further"
        )
        message = (
            f"{configuration.kind} {configuration.name} (webhook {webhook.get('name')}, failurePolicy Fail) is "
            f"applied in {configuration.phase} wave {configuration.wave} and {rejects}; first {first.phase} wave "
            f"{first.wave}) because {readiness.why}: {consequence}"
        )
        fix = (
            f"set the webhook's failurePolicy to Ignore, or make it trusted before it is applied (a caBundle "
            f"or cert-manager CA injection instead of a post-install patch hook), or give {configuration.kind} "
            f"{configuration.name} a later sync-wave than the objects it checks"
        )
        file = relative_path(sync.app.manifest_file, root) if root else str(sync.app.manifest_file or "")
        kind, name = configuration.kind, configuration.name
        findings.append(Finding("sync", model.env, sync.app.name, kind, name, file, message, fix, severity))
        return


def _readiness(model: SyncModel, sync: AppSync, index: int, webhook: dict[str, Any], broken: Known) -> Readiness | None:
    """When the webhook starts answering within this sync (None: outside this sync's control)."""
    client = webhook.get("clientConfig") or {}
    service_ref = client.get("service")
    if not service_ref:
        return None  # an external URL: nothing in this sync brings it up
    service = next(
        (
            t
            for t in sync.tasks
            if t.kind == "Service"
            and t.group == ""
            and t.name == service_ref.get("name")
            and t.namespace == service_ref.get("namespace", t.namespace)
        ),
        None,
    )
    if service is None:
        return None  # served by another Application (earlier waves are Healthy) or missing (references gate)
    service_gate = broken.get((sync.app.name, "Service", service.name))
    if service_gate:
        return Readiness(
            NEVER, f"Service {service.name} sends it nowhere (see the {service_gate} finding)", False, service_gate
        )
    selector = (service.obj.get("spec") or {}).get("selector") or {}
    backends = [
        (position, t)
        for position, t in enumerate(sync.tasks)
        if t.kind in WORKLOAD_KINDS
        and not t.hook
        and t.namespace == service.namespace
        and selector
        and selector_matches({"matchLabels": selector}, pod_template_labels(t.obj) or {})
    ]
    if not backends:
        return Readiness(NEVER, f"Service {service.name} selects no pods of this sync", False)
    for _, backend in backends:
        gate = broken.get((sync.app.name, backend.kind, backend.name))
        if gate:
            why = f"{backend.label} behind Service {service.name} never becomes Healthy (see the {gate} finding)"
            return Readiness(NEVER, why, False, gate)
    service_step = max(sync.position(position)[0] for position, _ in backends) + 1
    ca = _ca_injector(sync, index, webhook)
    if ca is not None:
        hook_position, hook = ca
        ca_step = sync.position(hook_position)[0] + 1
        if ca_step > service_step:
            return Readiness(
                ca_step,
                f"it has no caBundle until the {hook.phase} hook {hook.label} patches it in "
                "(a hook runs only after every earlier step succeeded)",
                False,  # the rejected objects fail every attempt before the hook's turn
            )
    backend_names = ", ".join(t.label for _, t in backends)
    return Readiness(
        service_step, f"{backend_names} behind Service {service.name} is not Healthy yet when they are applied", True
    )


def _ca_injector(sync: AppSync, index: int, webhook: dict[str, Any]) -> tuple[int, SyncTask] | None:
    """The hook that patches a missing caBundle in: (task position, task); None when trusted up front."""
    configuration = sync.tasks[index]
    annotations = (configuration.obj.get("metadata") or {}).get("annotations") or {}
    if (webhook.get("clientConfig") or {}).get("caBundle") or any(a in annotations for a in CA_INJECTION_ANNOTATIONS):
        return None
    # The last hook naming the configuration (kube-webhook-certgen's `create` names its Secret, of the same
    # name, before `patch` writes the CA): the CA is in only once every one of them has run.
    hooks = [
        (position, task)
        for position, task in enumerate(sync.tasks)
        if task.hook and task.kind in {"Job", "Pod"} and _names(task.obj, configuration.name)
    ]
    return hooks[-1] if hooks else None  # none: the controller behind the Service injects it itself


def _names(obj: dict[str, Any], name: str) -> bool:
    """Does a container of this hook name `name` as an argument (`name`, `--flag=name`, `a,name`)?"""
    spec = obj.get("spec") or {}
    pod = (spec.get("template") or {}).get("spec") or spec
    pattern = re.compile(rf"(^|[=\s,]){re.escape(name)}($|[\s,])")
    for container in [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]:
        if any(pattern.search(str(w)) for w in [*(container.get("command") or []), *(container.get("args") or [])]):
            return True
    return False


def _matches(model: SyncModel, webhook: dict[str, Any], task: SyncTask) -> bool:
    """Would the API server send the creation of `task`'s object to this webhook?"""
    if task.kind in NEVER_INTERCEPTED:
        return False
    resource = resource_of(task.kind, model.plurals, task.group)
    version = str(task.obj.get("apiVersion", "")).rpartition("/")[2]
    if not any(_rule_matches(rule, task, resource, version) for rule in webhook.get("rules") or []):
        return False
    if task.kind == "Namespace" and task.group == "":
        namespace_labels = {**labels_of(task.obj), "kubernetes.io/metadata.name": task.name}
        if not selector_matches(webhook.get("namespaceSelector"), namespace_labels):
            return False
    elif task.namespace:
        labels = model.namespace_labels.get(task.namespace, {"kubernetes.io/metadata.name": task.namespace})
        if not selector_matches(webhook.get("namespaceSelector"), labels):
            return False
    return selector_matches(webhook.get("objectSelector"), labels_of(task.obj))


def _rule_matches(rule: dict[str, Any], task: SyncTask, resource: str, version: str) -> bool:
    def listed(values: Any, value: str) -> bool:
        return any(str(v) in ("*", value) for v in values or [])

    scope = rule.get("scope") or "*"
    if (scope == "Cluster" and task.namespace) or (scope == "Namespaced" and not task.namespace):
        return False
    resources = [str(r) for r in rule.get("resources") or []]
    return (
        listed(rule.get("operations"), "CREATE")
        and listed(rule.get("apiGroups"), task.group)
        and listed(rule.get("apiVersions"), version)
        and any(r in ("*", "*/*", resource) for r in resources)
    )
