"""The `sync` gate: simulate how Argo CD would sync an environment onto a fresh cluster.

Each Application's objects are ordered as Argo CD applies them (`order`), then checked for what
makes a sync fail or never finish: an admission webhook with failurePolicy Fail that rejects
objects of its own sync (`webhooks`), a custom resource applied before its CRD (`crd_order`), and
objects that never become Healthy (`health`, which also consumes the admission and references
gates' findings). The root app-of-apps waits for each wave's Applications to be Healthy, so the
first wave with such an Application stalls all later ones: that is reported once, as a summary
that points at the root cause (`SyncOutcome.stall`, also drawn by `platformctl graph`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from platformctl.catalogue import CRD_PROVIDERS
from platformctl.crds import CrdCatalogue
from platformctl.findings import Finding
from platformctl.render import RenderedEnvironment
from platformctl.syncsim.crd_order import check_crd_order
from platformctl.syncsim.health import (
    Stall,
    blockers_from_findings,
    ingress_findings,
    simulate_root,
)
from platformctl.syncsim.model import SyncModel, build_model
from platformctl.syncsim.webhooks import check_webhooks

__all__ = ["Stall", "SyncOutcome", "check_environment"]


@dataclass
class SyncOutcome:
    findings: list[Finding]  # gate "sync" only; other gates' findings are read, never repeated
    stall: Stall | None
    model: SyncModel


def check_environment(
    rendered: RenderedEnvironment,
    crds: CrdCatalogue,
    prior_findings: Sequence[Finding] = (),
    *,
    root: Path | None = None,
) -> SyncOutcome:
    """Run the sync simulation on a rendered env.

    `prior_findings`: every finding of the gates run before (admission and references errors are
    root causes this gate builds on).
    """
    model = build_model(rendered, crds)
    own: list[Finding] = []
    own += ingress_findings(model, root)
    # What other root causes break: workloads that never become Healthy, Services the references gate rejects.
    broken = {blocker.key: blocker.gate for blocker in blockers_from_findings([*prior_findings, *own])}
    broken |= {
        (f.application, f.kind, f.name): f.gate
        for f in prior_findings
        if f.gate == "references" and f.kind == "Service" and f.severity == "error"
    }
    webhook_findings, webhook_blockers = check_webhooks(model, broken, root)
    own += webhook_findings

    def is_custom(group: str, kind: str) -> bool:
        return (
            crds.is_namespaced(group, kind) is not None
            or group in CRD_PROVIDERS
            or (group, kind) in model.rendered_crds
        )

    own += check_crd_order(model, is_custom, root)
    stall = simulate_root(model, [*blockers_from_findings([*prior_findings, *own]), *webhook_blockers])
    if stall is not None:
        own.append(_stall_finding(rendered, stall))
    return SyncOutcome(own, stall, model)


def _stall_finding(rendered: RenderedEnvironment, stall: Stall) -> Finding:
    root_app = str(((rendered.root_application or {}).get("metadata") or {}).get("name") or f"platform-{rendered.env}")
    held = stall.held_back
    if held:
        waves = sorted({wave for wave, _ in held})
        names = ", ".join(name for _, name in held)
        span = f"wave {waves[0]}" if len(waves) == 1 else f"waves {waves[0]} to {waves[-1]}"
        later = f"{span} never sync ({len(held)} Application(s): {names})"
    else:
        later = "no later wave; the root never becomes Healthy"
    first = stall.blockers[0]
    message = f"the root Application {root_app} stalls at wave {stall.wave}: {stall.reason()}; {later}"
    fix = (
        f"fix the root cause (gate {first.gate}, application {first.application}, {first.kind}/{first.name}); "
        "this finding only summarises what it holds back"
    )
    return Finding("sync", rendered.env, "_root", "Application", root_app, "", message, fix, "warning")
