"""No Secret object carries data in Git: secrets come from Key Vault through ExternalSecret objects."""

from __future__ import annotations

from typing import Any

from platform_policy import PlatformCheck, clean


class NoSecretDataInGit(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_11"
    TITLE = "No Secret with data or stringData in Git (use an ExternalSecret)"
    ENTITIES = ["Secret"]

    def passes(self, conf: dict[str, Any]) -> bool:
        carries_data = bool(clean(conf.get("data"))) or bool(clean(conf.get("stringData")))
        return not carries_data


check = NoSecretDataInGit()
