"""What the policy gate reads for one environment: the manifest gate's rendered output on disk.

`build/rendered/<env>/_root/applications.yaml` holds the Applications and AppProjects of the
app-of-apps; `build/rendered/<env>/<application>/manifest.yaml` every object an Application deploys
(see docs/contracts.md "Rendered output"). An upstream Application without a manifest was not
rendered (no chart archive cached): its values go to the value-level rules instead.

Helm output usually leaves `metadata.namespace` out: Argo CD puts namespaced objects into the
Application's destination namespace. The gate does the same before checking (`objects_by_application`),
so "which namespace" questions (PodDisruptionBudgets, autoscalers, data-app and ingress namespaces) are
answered as they will be in the cluster, and checkov scans that namespaced copy (`write_scan_tree`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platformctl.environments import Environment, load_yaml
from platformctl.errors import PlatformError
from platformctl.kube_yaml import load_documents
from platformctl.paths import build_dir
from platformctl.policy.results import CLUSTER_SCOPED_KINDS
from platformctl.policy.upstream_values import UpstreamApplication, deep_merge

ROOT_FOLDER = "_root"
MANIFEST = "manifest.yaml"
APP_OF_APPS_VALUES = ".argocd/apps/values.yaml"
VALUES_PREFIX = "$values/"


@dataclass(frozen=True)
class EnvironmentInput:
    environment: Environment
    rendered_dir: Path  # build/rendered/<env>
    root_objects: list[dict[str, Any]]  # Applications and AppProjects of the app-of-apps
    objects_by_application: dict[str, list[dict[str, Any]]]  # namespaced as Argo CD will apply them
    upstream_unrendered: list[UpstreamApplication]
    in_repo_unrendered: list[str]  # Applications of this repository's charts with no rendered manifest
    components: dict[str, Any]  # app-of-apps values: catalogue merged with platform.yaml

    @property
    def name(self) -> str:
        return self.environment.name

    @property
    def objects(self) -> list[dict[str, Any]]:
        return [obj for objects in self.objects_by_application.values() for obj in objects]


def render(environment: Environment) -> Path:
    """Render the environment through the manifest gate and return its output folder."""
    try:
        render_module = importlib.import_module("platformctl.render")
    except ModuleNotFoundError as error:
        raise PlatformError(
            "the manifest gate (platformctl.render) is not installed in this checkout",
            fix="merge feat/gate, or pass --rendered DIR with a tree of <env>/<application>/manifest.yaml",
        ) from error
    rendered = render_module.render_environment(environment.name)
    return Path(getattr(rendered, "out_dir", build_dir() / "rendered" / environment.name))


def _documents(path: Path) -> list[dict[str, Any]]:
    """The objects of a rendered manifest, read as Kubernetes reads YAML (a bare `=`, as in the
    kube-prometheus-stack CRDs, is the string "=")."""
    try:
        return [d for d in load_documents(path.read_text(encoding="utf-8")) if isinstance(d, dict)]
    except yaml.YAMLError as error:
        raise PlatformError(f"{path}: malformed YAML: {error}", fix="re-render the environment") from error


def _components(environment: Environment) -> dict[str, Any]:
    catalogue_file = environment.root / APP_OF_APPS_VALUES
    catalogue = (load_yaml(catalogue_file) or {}) if catalogue_file.is_file() else {}
    merged = deep_merge(catalogue.get("components") or {}, environment.platform.get("components") or {})
    return merged if isinstance(merged, dict) else {}


def _upstream_source(application: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    """The Helm chart source of an Application (if upstream) and its value files."""
    spec = application.get("spec") or {}
    sources = list(spec.get("sources") or []) + ([spec["source"]] if isinstance(spec.get("source"), dict) else [])
    chart_source = next((s for s in sources if isinstance(s, dict) and s.get("chart")), None)
    value_files: list[str] = []
    for source in sources:
        value_files.extend((source.get("helm") or {}).get("valueFiles") or [])
    return chart_source, value_files


def _resolve(value_file: str, root: Path) -> Path:
    return root / value_file.removeprefix(VALUES_PREFIX)


def load_input(environment: Environment, rendered_dir: Path) -> EnvironmentInput:
    root_file = rendered_dir / ROOT_FOLDER / "applications.yaml"
    if not root_file.is_file():
        raise PlatformError(
            f"{root_file}: the rendered app-of-apps of {environment.name} is missing",
            fix=f"run `platformctl render {environment.name}` (or pass --rendered DIR holding {environment.name}/)",
        )
    root_objects = _documents(root_file)
    destinations = {
        str((a.get("metadata") or {}).get("name")): str(
            ((a.get("spec") or {}).get("destination") or {}).get("namespace") or ""
        )
        for a in root_objects
        if a.get("kind") == "Application"
    }
    objects_by_application: dict[str, list[dict[str, Any]]] = {}
    for manifest in sorted(rendered_dir.glob(f"*/{MANIFEST}")):
        if manifest.parent.name != ROOT_FOLDER:
            namespace = destinations.get(manifest.parent.name, "")
            objects_by_application[manifest.parent.name] = [
                with_namespace(obj, namespace) for obj in _documents(manifest)
            ]
    upstream: list[UpstreamApplication] = []
    in_repo_unrendered: list[str] = []
    for application in root_objects:
        if application.get("kind") != "Application":
            continue
        name = str((application.get("metadata") or {}).get("name"))
        chart_source, value_files = _upstream_source(application)
        if (rendered_dir / name / MANIFEST).is_file():
            continue
        if chart_source is None:
            in_repo_unrendered.append(name)
            continue
        upstream.append(
            UpstreamApplication(
                name=name,
                chart=str(chart_source["chart"]),
                version=str(chart_source.get("targetRevision") or ""),
                value_files=tuple(_resolve(v, environment.root) for v in value_files),
            )
        )
    return EnvironmentInput(
        environment,
        rendered_dir,
        root_objects,
        objects_by_application,
        upstream,
        in_repo_unrendered,
        _components(environment),
    )


def with_namespace(obj: dict[str, Any], namespace: str) -> dict[str, Any]:
    """The object as Argo CD applies it: namespaced kinds without a namespace get the destination's."""
    metadata = obj.get("metadata")
    if not namespace or obj.get("kind") in CLUSTER_SCOPED_KINDS or not isinstance(metadata, dict):
        return obj
    if metadata.get("namespace"):
        return obj
    return {**obj, "metadata": {**metadata, "namespace": namespace}}


def write_scan_tree(env_input: EnvironmentInput, out_dir: Path) -> Path:
    """What checkov scans: the app-of-apps as rendered and every Application's objects, namespaced."""
    if out_dir.exists():
        for old in out_dir.glob(f"*/{MANIFEST}"):
            old.unlink()
    (out_dir / ROOT_FOLDER).mkdir(parents=True, exist_ok=True)
    root_file = env_input.rendered_dir / ROOT_FOLDER / "applications.yaml"
    (out_dir / ROOT_FOLDER / "applications.yaml").write_text(root_file.read_text(encoding="utf-8"), encoding="utf-8")
    for application, objects in env_input.objects_by_application.items():
        target = out_dir / application / MANIFEST
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump_all(objects, sort_keys=False), encoding="utf-8")
    return out_dir
