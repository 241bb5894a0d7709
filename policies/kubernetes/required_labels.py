"""Workloads and namespaces carry the owner, data-classification and app.kubernetes.io/name labels."""

from __future__ import annotations

from typing import Any

from platform_policy import REQUIRED_LABELS, WORKLOAD_KINDS, PlatformCheck, labels


class RequiredLabels(PlatformCheck):
    CHECK_ID = "CKV_PLATFORM_1"
    TITLE = "Workloads and namespaces carry owner, data-classification and app.kubernetes.io/name labels"
    ENTITIES = ["Namespace", *WORKLOAD_KINDS]

    def passes(self, conf: dict[str, Any]) -> bool:
        present = labels(conf)
        missing = [label for label in REQUIRED_LABELS if not str(present.get(label) or "").strip()]
        return not missing


check = RequiredLabels()
