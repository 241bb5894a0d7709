"""Prod: every source of every Argo CD Application is pinned (exact version or commit), never HEAD or a branch.

The check runs on what the app-of-apps chart renders: every child Application, i.e. everything that
deploys a workload. The root Application (`.argocd/bootstrap/prod.yaml`) tracks `main` on purpose: it
deploys nothing but these children, rendered from `clusters/prod/platform.yaml`, whose pins (the release
tag `repo.targetRevision`, exact chart versions) this check verifies on every child. So promotion is a
pull request on main (docs/runbook-new-environment.md, step 9) and prod still runs only pinned sources.
"""

from __future__ import annotations

import re
from typing import Any

from platform_policy import PlatformCheck, object_spec

# A release tag or chart version (1.2.3, v1.2.3, 1.2.3-rc.1) or a full commit SHA. Anything else
# (HEAD, main, release/1.x, ranges such as 1.2.*, ^1.2) can move under a deployed environment.
PINNED_REVISION = re.compile(r"^(v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?|[0-9a-f]{40})$")


def application_sources(conf: dict[str, Any]) -> list[dict[str, Any]]:
    spec = object_spec(conf)
    sources = list(spec.get("sources") or [])
    if isinstance(spec.get("source"), dict):
        sources.append(spec["source"])
    return [source for source in sources if isinstance(source, dict)]


class ProdArgoTargetRevisionPinned(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_13"
    TITLE = "Prod: Application sources pin targetRevision to an exact version or commit (no HEAD, no branch)"
    ENTITIES = ["Application"]

    def passes(self, conf: dict[str, Any]) -> bool:
        sources = application_sources(conf)
        pinned = bool(sources) and all(PINNED_REVISION.match(str(s.get("targetRevision") or "")) for s in sources)
        return pinned


check = ProdArgoTargetRevisionPinned()
