"""Custom resources applied before the cluster knows their CRD.

Argo CD dry-runs every object of a sync first. A custom resource whose CRD the API server does not
serve yet fails that dry-run ("the server could not find the requested resource") unless the CRD is
part of the same sync (Argo CD then skips the dry-run and applies the CRD first) or the object or
Application carries `SkipDryRunOnMissingResource=true` (`sync_context.go`, shouldSkipDryRunOnMissingResource).
Across Applications the root waits for each wave to be Healthy, so a CRD from an earlier wave is
served; one from the same wave races (a retry heals it); one from a later wave, or from nowhere,
never comes, and the apply itself fails whatever the dry-run option.

Offline, an upstream chart that is not cached renders nothing: its catalogue entry
(`catalogue.CRD_PROVIDERS`, group -> Application) stands in for what it would render. A provider the
env does not run at all is the graph gate's finding.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from platformctl.catalogue import CLUSTER_PROVIDED_CRD_GROUPS, CRD_PROVIDERS
from platformctl.findings import Finding
from platformctl.paths import relative_path
from platformctl.syncsim.model import SKIP_DRY_RUN, AppSync, SyncModel
from platformctl.syncsim.order import has_sync_option

KnownKind = Callable[[str, str], bool]  # (group, kind) -> is it a CustomResourceDefinition's kind?


def check_crd_order(model: SyncModel, is_custom: KnownKind, root: Path | None = None) -> list[Finding]:
    """One finding per (Application, kind) whose CRD is not served when Argo CD applies it."""
    waves = {sync.app.name: sync.app.wave for sync in model.apps}
    findings = []
    for sync in model.apps:
        reported: set[tuple[str, str]] = set()
        for task in sync.tasks:
            key = (task.group, task.kind)
            if key in reported or task.group in CLUSTER_PROVIDED_CRD_GROUPS or not is_custom(*key):
                continue
            owners = model.rendered_crds.get(key, [])
            if not owners:
                provider = model.by_name(CRD_PROVIDERS.get(task.group, ""))
                if CRD_PROVIDERS.get(task.group) and provider is None:
                    continue  # the graph gate reports a provider the env does not run
                if provider is not None and not provider.app.rendered:
                    owners = [provider.app.name]  # not cached: assume it renders the CRD
            if sync.app.name in owners or any(waves[o] < sync.app.wave for o in owners):
                continue
            same_wave = [o for o in owners if waves[o] == sync.app.wave]
            if same_wave and (has_sync_option(task.obj, SKIP_DRY_RUN) or sync.sync_option(SKIP_DRY_RUN)):
                continue
            reported.add(key)
            findings.append(_finding(model, sync, task.kind, task.group, task.name, owners, waves, same_wave, root))
    return findings


def _finding(
    model: SyncModel,
    sync: AppSync,
    kind: str,
    group: str,
    name: str,
    owners: list[str],
    waves: dict[str, int],
    same_wave: list[str],
    root: Path | None,
) -> Finding:
    app = sync.app
    count = sum(1 for t in sync.tasks if (t.group, t.kind) == (group, kind))
    subject = f"{kind}/{name}" + (f" and {count - 1} more {kind}" if count > 1 else "")
    file = relative_path(app.manifest_file, root) if root else str(app.manifest_file or "")
    if same_wave:
        message = (
            f"{subject} ({kind}.{group}) is applied in wave {app.wave} while {', '.join(same_wave)} creates its CRD "
            f"in the same wave, without SkipDryRunOnMissingResource=true: the dry-run fails until the CRD exists "
            + (
                f"(the first attempt fails; syncPolicy.retry (limit {sync.retry_limit}) heals it)"
                if sync.retried
                else "and without syncPolicy.retry the sync stays failed"
            )
        )
        fix = (
            f"annotate it argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true, "
            f"or give {app.name} a later wave"
        )
        return Finding(
            "sync", model.env, app.name, kind, name, file, message, fix, "warning" if sync.retried else "error"
        )
    if owners:
        where = ", ".join(f"{o} (wave {waves[o]})" for o in owners)
        message = (
            f"{subject} ({kind}.{group}) is applied in wave {app.wave}, but its CRD is created only by {where}: "
            f"the root waits for {app.name} before that wave, and the apply fails (no matches for kind {kind})"
        )
        fix = f"give {app.name} a wave after {', '.join(owners)}, or move the CRD to an earlier Application"
    else:
        message = (
            f"{subject} ({kind}.{group}) is applied, but no Application of env {model.env} renders its CRD and the "
            f"cluster does not provide it: the sync of {app.name} fails (no matches for kind {kind})"
        )
        fix = "install the CRD in an earlier wave (enable the chart's CRDs, e.g. crds.enabled) or drop the object"
    return Finding("sync", model.env, app.name, kind, name, file, message, fix)
