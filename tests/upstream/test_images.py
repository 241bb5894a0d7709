"""Every upstream image comes through the platform ACR's artifact cache (docs/bootstrap-decisions.md#9).

The charts take either a registry (the upstream repository path is kept under it) or a full repository;
every such value in platform/<component>/values*.yaml must name the ACR, and every full repository must
be the target of a cache rule of clusters/<env>/cluster.yaml (or a first-party image CI pushes).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from platformctl.environments import get_environment
from platformctl.paths import repo_root

FIRST_PARTY = "data-platform/"  # images main.yml builds and pushes (apps/*/Dockerfile)
REGISTRY_KEYS = {"registry", "imageRegistry", "dockerRegistry"}


def image_settings(values: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str, str]]:
    """(dotted key, kind, value) of every registry or image repository set in chart values."""
    if isinstance(values, list):
        for index, item in enumerate(values):
            yield from image_settings(item, (*path, str(index)))
    if not isinstance(values, dict):
        return
    for key, value in values.items():
        here = (*path, str(key))
        if key in REGISTRY_KEYS and isinstance(value, str) and value:
            yield ".".join(here), "registry", value
        elif key == "repository" and isinstance(value, str) and "image" in "".join(path[-1:]).lower():
            yield ".".join(here), "repository", value
        else:
            yield from image_settings(value, here)


def value_files() -> list[Path]:
    return sorted((repo_root() / "platform").glob("*/values*.yaml"))


@pytest.mark.parametrize("path", value_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_images_come_from_the_platform_registry_cache(path: Path) -> None:
    env = path.stem.removeprefix("values-") if path.stem != "values" else "dev"
    registry = get_environment(env).cluster["spec"]["containerRegistry"]
    targets = {rule["target"] for rule in registry["cacheRules"]}
    login = registry["loginServer"]
    for key, kind, value in image_settings(yaml.safe_load(path.read_text(encoding="utf-8")) or {}):
        if kind == "registry":
            assert value == login, f"{path.name}: {key} is {value}, not {login}"
            continue
        host, _, repository = value.partition("/")
        assert host == login, f"{path.name}: {key} pulls {value} from outside {login}"
        assert repository in targets or repository.startswith(FIRST_PARTY), (
            f"{path.name}: {key}: no cache rule of clusters/{env}/cluster.yaml targets {repository}"
        )


def test_every_chart_is_pointed_at_the_registry() -> None:
    """A component without any registry setting would pull every image from its public default."""
    folders = {p.parent.name for p in value_files() if not (p.parent / "Chart.yaml").exists()}
    configured = {p.parent.name for p in value_files() if list(image_settings(yaml.safe_load(p.read_text()) or {}))}
    assert folders - configured == set()


def test_the_fixture_charts_assemble_images_from_these_settings(render: Any, pod_specs: Any) -> None:
    """OpenSearch builds `<repository>:<tag>` (no global.dockerRegistry), MySQL and Kafka
    `<registry>/<repository>:<tag>`."""
    login = get_environment("prod").cluster["spec"]["containerRegistry"]["loginServer"]
    pods = dict(pod_specs(render("datahub-prerequisites", "datahub-prerequisites", "prod")))
    images = {c["image"] for pod in pods.values() for c in pod["containers"]}
    assert images == {
        f"{login}/bitnamilegacy/mysql:8.0.40-debian-12-r5",
        f"{login}/opensearchproject/opensearch:2.19.5",
        f"{login}/bitnamilegacy/kafka:3.6.1-debian-12-r12",
    }
