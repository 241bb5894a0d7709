"""Fixtures of the sync gate tests: small environments rendered from the fixture charts by real helm.

`render_env(FixtureApp(...), ...)` renders each chart with `helm template` as the manifest gate
does (same cache, Kubernetes version and CRD API versions) and wraps the objects in a
RenderedEnvironment, so the sync gate sees exactly what Argo CD would apply, without the rest of
the fixture repository around it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from platformctl import helm
from platformctl.crds import CrdCatalogue
from platformctl.manifests import parse_manifest
from platformctl.render import RenderedApplication, RenderedEnvironment

CHARTS = Path(__file__).parent / "fixtures" / "charts"
KUBERNETES_VERSION = "1.34"


@dataclass
class FixtureApp:
    name: str
    chart: str  # folder under fixtures/charts
    wave: int = 0
    namespace: str = "apps"
    values: dict[str, Any] = field(default_factory=dict)
    retry_limit: int = 5


@dataclass
class FixtureEnv:
    rendered: RenderedEnvironment
    crds: CrdCatalogue


EnvRenderer = Callable[..., FixtureEnv]


@pytest.fixture(scope="session")
def helm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sync-render-cache")


@pytest.fixture
def render_env(tmp_path: Path, helm_cache: Path, mirror: Path, repo_root: Path) -> EnvRenderer:
    def render(*apps: FixtureApp) -> FixtureEnv:
        crds = CrdCatalogue(mirror)
        applications = []
        for app in apps:
            values = tmp_path / f"{app.name}-values.yaml"
            values.write_text(yaml.safe_dump(app.values), encoding="utf-8")
            request = helm.HelmRequest(
                CHARTS / app.chart,
                app.name,
                app.namespace,
                (values,),
                f"{KUBERNETES_VERSION}.0",
                tuple(crds.api_versions()),
            )
            text, _ = helm.template(request, root=repo_root, cache_dir=helm_cache)
            application = {"spec": {"syncPolicy": {"retry": {"limit": app.retry_limit}}}}
            applications.append(
                RenderedApplication(
                    app.name,
                    "platform",
                    app.wave,
                    app.namespace,
                    "in-repo",
                    f"tests/syncsim/fixtures/charts/{app.chart}",
                    "main",
                    parse_manifest(text, app.chart),
                    rendered=True,
                    application=application,
                )
            )
        rendered_crds = [
            (o, a.name) for a in applications for o in a.objects if o.get("kind") == "CustomResourceDefinition"
        ]
        rendered = RenderedEnvironment("dev", KUBERNETES_VERSION, [], applications, {}, [], tmp_path)
        return FixtureEnv(rendered, CrdCatalogue(mirror, rendered_crds))

    return render
