"""renovate.json covers every pinned upstream chart, lock file and app, and never auto-merges prod.

Renovate itself needs Node >= 22 (not on these machines), so its regex managers are exercised here
with Python's `re` on the real platform.yaml files: each must extract exactly the version pinned there.
"""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from platformctl.environments import list_environments


@pytest.fixture(scope="module")
def renovate(repo_root: Path) -> dict[str, Any]:
    return json.loads((repo_root / "renovate.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalogue(repo_root: Path) -> dict[str, Any]:
    return yaml.safe_load((repo_root / ".argocd/apps/values.yaml").read_text(encoding="utf-8"))["components"]


def _python_regex(renovate_regex: str) -> re.Pattern[str]:
    """Renovate writes named groups JavaScript-style, `(?<name>...)`."""
    return re.compile(re.sub(r"\(\?<([A-Za-z]+)>", r"(?P<\1>", renovate_regex))


def _chart_managers(renovate: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["depNameTemplate"]: m for m in renovate["customManagers"] if m.get("datasourceTemplate") == "helm"}


def test_every_upstream_chart_has_a_manager_with_its_repository(renovate: dict, catalogue: dict) -> None:
    managers = _chart_managers(renovate)
    upstream = {name: c["chart"] for name, c in catalogue.items() if "chart" in c}
    assert set(managers) == set(upstream), "renovate.json customManagers differ from the chart catalogue"
    for name, chart in upstream.items():
        assert managers[name]["registryUrlTemplate"] == chart["repoURL"], name
        assert managers[name]["packageNameTemplate"] == chart["name"], name


def test_each_manager_extracts_exactly_the_pinned_version_of_every_env(renovate: dict, repo_root: Path) -> None:
    managers = _chart_managers(renovate)
    checked = 0
    for env in list_environments(repo_root):
        text = env.platform_file.read_text(encoding="utf-8")
        assert any(re.search(p[1:-1], f"clusters/{env.name}/platform.yaml") for p in _file_patterns(managers))
        for name, component in (env.platform.get("components") or {}).items():
            pinned = ((component or {}).get("chart") or {}).get("version")
            if pinned is None:
                continue
            assert name in managers, f"{env.platform_file}: {name} pins a chart Renovate does not watch"
            found = [m.group("currentValue") for m in _python_regex(managers[name]["matchStrings"][0]).finditer(text)]
            assert found == [str(pinned)], f"{env.platform_file}: {name}: regex found {found}, file pins {pinned}"
            checked += 1
    assert checked >= 3, "no pinned chart version found in any platform.yaml"


def _file_patterns(managers: dict[str, dict[str, Any]]) -> set[str]:
    return {pattern for m in managers.values() for pattern in m["managerFilePatterns"]}


def test_block_style_pins_are_found_too(renovate: dict) -> None:
    manager = _chart_managers(renovate)["cert-manager"]
    text = "components:\n  cert-manager:\n    chart:\n      version: v1.21.1\n    enabled: true\n"
    assert _python_regex(manager["matchStrings"][0]).search(text).group("currentValue") == "v1.21.1"


def test_every_virtualenv_lock_file_has_its_group(renovate: dict, repo_root: Path) -> None:
    grouped = {
        name
        for rule in renovate["packageRules"]
        for name in rule.get("matchFileNames", [])
        if rule.get("groupName", "").startswith("python ")
    }
    locks = {f"requirements/{p.name}" for p in (repo_root / "requirements").glob("*.lock")}
    assert locks and locks == grouped


def _rules_for(renovate: dict, file_name: str) -> list[dict[str, Any]]:
    return [
        rule
        for rule in renovate["packageRules"]
        if any(fnmatch.fnmatch(file_name, pattern) for pattern in rule.get("matchFileNames", []))
    ]


def test_prod_is_never_auto_merged(renovate: dict) -> None:
    assert renovate.get("automerge") is not True
    rules = _rules_for(renovate, "clusters/prod/platform.yaml")
    automerge = [rule["automerge"] for rule in rules if "automerge" in rule]
    assert automerge and automerge[-1] is False, "the last rule matching prod must set automerge: false"
    assert rules[-1].get("dependencyDashboardApproval") is True


def test_only_dev_auto_merges(renovate: dict) -> None:
    for rule in renovate["packageRules"]:
        if rule.get("automerge"):
            assert rule["matchFileNames"] == ["clusters/dev/platform.yaml"], rule["description"]
