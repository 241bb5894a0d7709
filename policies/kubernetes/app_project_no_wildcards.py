"""AppProjects name their source repositories and destinations: no `*` anywhere in them."""

from __future__ import annotations

from typing import Any

from platform_policy import PlatformCheck, object_spec


def has_wildcard(value: Any) -> bool:
    return isinstance(value, str) and "*" in value


class AppProjectNoWildcards(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_15"
    TITLE = "AppProjects have no wildcard source repositories or destinations"
    ENTITIES = ["AppProject"]

    def passes(self, conf: dict[str, Any]) -> bool:
        spec = object_spec(conf)
        repos = spec.get("sourceRepos") or []
        destinations = [d for d in spec.get("destinations") or [] if isinstance(d, dict)]
        if not repos or not destinations:
            return False
        wildcard = any(has_wildcard(repo) for repo in repos) or any(
            has_wildcard(d.get(key)) for d in destinations for key in ("server", "name", "namespace")
        )
        return not wildcard


check = AppProjectNoWildcards()
