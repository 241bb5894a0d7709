"""Fixture charts of the reference gate, rendered by the real helm into a one-env RenderedEnvironment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from platformctl.crds import CrdCatalogue
from platformctl.findings import Finding
from platformctl.helm import HelmRequest, template
from platformctl.manifests import parse_manifest
from platformctl.references import check_references
from platformctl.render import RenderedApplication, RenderedEnvironment

FIXTURES = Path(__file__).parent / "fixtures"
NAMESPACE = "fixture"

Check = Callable[..., list[Finding]]


def rendered_app(name: str, repo_root: Path, cache: Path, namespace: str = NAMESPACE) -> RenderedApplication:
    chart = FIXTURES / name
    text, _ = template(
        HelmRequest(chart, name, namespace, (), "1.34.0", include_crds=False), root=repo_root, cache_dir=cache
    )
    objects = parse_manifest(text, str(chart))
    return RenderedApplication(
        name,
        "platform",
        0,
        namespace,
        "in-repo",
        str(chart),
        "main",
        objects,
        True,
        chart / "templates" / "objects.yaml",
    )


def environment(*apps: RenderedApplication, root_objects: list | None = None) -> RenderedEnvironment:
    return RenderedEnvironment("test", "1.34", root_objects or [], list(apps), {}, [], Path())


@pytest.fixture(scope="session")
def render_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reference-fixtures")


@pytest.fixture(scope="session")
def crds(mirror: Path) -> CrdCatalogue:
    return CrdCatalogue(mirror)


@pytest.fixture
def check(repo_root: Path, render_cache: Path, crds: CrdCatalogue) -> Check:
    """check("fixture-a", "fixture-b") -> the reference findings of an env made of those fixture charts."""

    def run(
        *names: str, extra: tuple[RenderedApplication, ...] = (), root_objects: list | None = None
    ) -> list[Finding]:
        apps = [rendered_app(name, repo_root, render_cache) for name in names]
        env = environment(*apps, *extra, root_objects=root_objects)
        return check_references(env, repo_root, crds.is_cluster_scoped)

    return run
