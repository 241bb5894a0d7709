"""Which Applications can never become Healthy, and where the root app-of-apps stalls.

Argo CD's built-in health checks (gitops-engine `pkg/health`): a Deployment, StatefulSet or
DaemonSet is Healthy once its pods are available, a Job once complete, a PVC once Bound, a Service
of type LoadBalancer once it has an ingress address, an Ingress once a controller has written its
load-balancer status, an APIService once Available. An Application is Healthy when all its objects
are, and the root (with the Application health check of platform/argo-cd) syncs wave N+1 only
after every child of wave N is Healthy: the first wave with a child that never becomes Healthy
stalls every later wave.

Root causes come from the other gates as findings (`blockers_from_findings`): pods the admission
gate rejects, PVCs whose storage class the references gate cannot resolve (AKS's built-in classes:
platform/cluster-provided.yaml), and this gate's own sync failures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from platformctl.findings import Finding
from platformctl.paths import relative_path
from platformctl.syncsim.model import SyncModel

POD_OWNERS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"})


@dataclass(frozen=True)
class Blocker:
    """An object that never becomes Healthy, and why (one short clause)."""

    application: str
    kind: str
    name: str
    reason: str
    gate: str

    @property
    def key(self) -> tuple[str, str, str]:
        return self.application, self.kind, self.name


def blockers_from_findings(findings: Iterable[Finding]) -> list[Blocker]:
    """Root causes other gates found that keep an object from becoming Healthy.

    - admission (error) on a pod owner: its pods are rejected, so it never has available pods;
    - references (error) on a PVC or a StatefulSet's storageClassName: the claim stays Pending;
    - sync (error): this gate's own findings; the sync of that Application fails.
    """
    blockers = []
    for finding in findings:
        if finding.severity != "error":
            continue
        if finding.gate == "admission" and finding.kind in POD_OWNERS:
            reason = f"has its pods rejected at admission ({_clause(finding.message)})"
        elif finding.gate == "references" and "storageClassName" in finding.message:
            reason = f"has a volume claim that can never bind ({_clause(finding.message)})"
        elif finding.gate == "sync":
            reason = "fails the sync"
        else:
            continue
        blockers.append(Blocker(finding.application, finding.kind, finding.name, reason, finding.gate))
    return blockers


def _clause(message: str, limit: int = 100) -> str:
    return message if len(message) <= limit else message[: limit - 3].rstrip() + "..."


@dataclass
class Stall:
    """The first wave of the root that never completes, and what it holds back."""

    wave: int
    blockers: list[Blocker]  # root causes, in the stalled wave's Applications
    held_back: list[tuple[int, str]] = field(default_factory=list)  # (wave, Application) never synced

    @property
    def applications(self) -> list[str]:
        return sorted({b.application for b in self.blockers})

    def short_reason(self) -> str:
        """For a picture's label: the first blocked object and the gate that found it."""
        first = self.blockers[0]
        return f"{first.application}: {first.kind}/{first.name} [{first.gate}]{self._more()}"

    def reason(self) -> str:
        first = self.blockers[0]
        return f"{first.application} cannot become Healthy: {first.kind}/{first.name} {first.reason}{self._more()}"

    def _more(self) -> str:
        return f" (+{len(self.blockers) - 1} more)" if len(self.blockers) > 1 else ""


def simulate_root(model: SyncModel, blockers: Sequence[Blocker]) -> Stall | None:
    """Walk the root's waves in order; the first wave with a blocked Application stalls the rest."""
    for wave in sorted({sync.app.wave for sync in model.apps}):
        names = {sync.app.name for sync in model.apps if sync.app.wave == wave}
        found = [blocker for blocker in blockers if blocker.application in names]
        if found:
            held = [(s.app.wave, s.app.name) for s in model.apps if s.app.wave > wave]
            return Stall(wave, found, held)
    return None


def ingress_findings(model: SyncModel, root: Path | None = None) -> list[Finding]:
    """An Ingress is Healthy only once its controller has published an address, so the Application
    rendering its IngressClass must come up first (an earlier wave, or the same one: they come up
    together). A missing IngressClass is the references gate's finding."""
    classes = {t.name: s for s in model.apps for t in s.tasks if t.kind == "IngressClass"}
    findings = []
    for sync in model.apps:
        for task in sync.tasks:
            class_name = (task.obj.get("spec") or {}).get("ingressClassName") if task.kind == "Ingress" else None
            controller = classes.get(str(class_name)) if class_name else None
            if controller is None or controller.app.wave <= sync.app.wave:
                continue
            message = (
                f"{task.label} (wave {sync.app.wave}) uses IngressClass {class_name}, whose controller comes with "
                f"{controller.app.name} in the later wave {controller.app.wave}: no controller publishes its address, "
                f"so {sync.app.name} never becomes Healthy and the root never reaches wave {controller.app.wave}"
            )
            fix = f"give {sync.app.name} a wave after {controller.app.name} ({controller.app.wave})"
            file = relative_path(sync.app.manifest_file, root) if root else str(sync.app.manifest_file or "")
            findings.append(Finding("sync", model.env, sync.app.name, task.kind, task.name, file, message, fix))
    return findings
