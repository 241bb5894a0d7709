"""The skeleton every gate plugs into: environments, tool lookup, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from platformctl.environments import get_environment, list_environments
from platformctl.errors import PlatformError, ToolMissingError
from platformctl.tools import find_tool


def test_every_environment_has_a_valid_cluster_file(repo_root: Path) -> None:
    environments = list_environments(repo_root)
    assert [env.name for env in environments] == ["dev", "staging", "prod"]
    for env in environments:
        assert env.cluster["metadata"]["environment"] == env.name
        assert env.kubernetes_version.count(".") == 1


def test_invalid_cluster_file_names_file_and_field(tmp_path: Path, repo_root: Path) -> None:
    shutil.copytree(repo_root / "clusters", tmp_path / "clusters")
    cluster_file = tmp_path / "clusters" / "dev" / "cluster.yaml"
    cluster_file.write_text(cluster_file.read_text().replace('kubernetesVersion: "1.34"', 'kubernetesVersion: "2.0"'))
    with pytest.raises(PlatformError) as error:
        _ = get_environment("dev", tmp_path).cluster
    assert "clusters/dev/cluster.yaml" in str(error.value)
    assert "spec/kubernetesVersion" in str(error.value)


def test_malformed_yaml_is_reported_with_line(tmp_path: Path, repo_root: Path) -> None:
    shutil.copytree(repo_root / "clusters", tmp_path / "clusters")
    (tmp_path / "clusters" / "dev" / "cluster.yaml").write_text("spec:\n  a: [1, 2\n")
    with pytest.raises(PlatformError, match=r"cluster.yaml:\d+:\d+: malformed YAML"):
        _ = get_environment("dev", tmp_path).cluster


def test_unknown_environment_lists_known_ones(repo_root: Path) -> None:
    with pytest.raises(PlatformError, match="known: dev, staging, prod"):
        get_environment("qa", repo_root)


def test_pinned_helm_is_found() -> None:
    assert find_tool("helm").name == "helm"


def test_missing_tool_fails_loudly_with_fix() -> None:
    with pytest.raises(ToolMissingError, match=r"not found.*fix: install"):
        find_tool("no-such-tool-anywhere")
