"""Every custom check lives in its own file under policies/kubernetes, named by what it enforces."""

from __future__ import annotations

import re
from pathlib import Path

from platformctl.policy.catalogue import KUBERNETES_CHECKS

ID_PATTERN = re.compile(r"""(?:CHECK_ID = |id:\s*)"?(CKV_PLATFORM_\d+)"?""")


def test_each_custom_check_is_defined_in_exactly_one_file(repo_root: Path) -> None:
    folder = repo_root / "policies" / "kubernetes"
    defined: dict[str, list[str]] = {}
    for path in sorted([*folder.glob("*.py"), *folder.glob("*.yaml")]):
        for check_id in ID_PATTERN.findall(path.read_text(encoding="utf-8")):
            defined.setdefault(check_id, []).append(path.name)
    custom = {check.id for check in KUBERNETES_CHECKS if not check.builtin}
    assert set(defined) == custom
    assert {check_id: files for check_id, files in defined.items() if len(files) != 1} == {}


def test_builtin_mappings_are_checkov_ids_and_custom_ids_are_ours() -> None:
    for check in KUBERNETES_CHECKS:
        assert check.id.startswith("CKV_K8S_") == check.builtin, check.id
        assert check.fix and check.intent
