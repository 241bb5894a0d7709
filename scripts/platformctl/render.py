"""Rendering an environment: the app-of-apps chart, then every chart its Applications deploy.

`render_environment(env)` runs the real `helm template` on `.argocd/apps` with
`clusters/<env>/platform.yaml`, parses the child Applications, and renders each in-repo chart (and
each upstream chart whose archive is in the chart cache) with the Application's value files, release
name and namespace, the env's Kubernetes version and, as Argo CD does, the API versions the cluster
serves (built-in and CRD, `group/version` and `group/version/Kind`; see `platformctl.api_versions`).
Helm calls run concurrently and are cached on disk (see `platformctl.helm`). Failures become
findings of gate `render`; nothing here raises for bad repository content.
"""

from __future__ import annotations

import hashlib
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from platformctl import helm
from platformctl.api_versions import cluster_api_versions
from platformctl.crds import CrdCatalogue
from platformctl.environments import Environment, get_environment, load_yaml
from platformctl.errors import PlatformError, ToolMissingError
from platformctl.findings import Finding
from platformctl.manifests import deep_merge, parse_manifest
from platformctl.paths import build_dir, chart_cache, relative_path, repo_root, upstream_mirror

APP_OF_APPS_CHART = ".argocd/apps"
BOOTSTRAP_DIR = ".argocd/bootstrap"  # <env>.yaml: the root Application (and its AppProject), applied by hand
VALUES_PREFIX = "$values/"
HELM_WORKERS = 2  # the machine has 2 cores; helm is CPU-bound
ROOT = "_root"  # the `application` of findings about the app-of-apps chart itself
PARSED = "parsed"  # render cache subfolder: helm's output parsed (platformctl.kube_yaml snapshots)


@dataclass
class RenderedApplication:
    """One child Application and everything it deploys (`objects` empty when not rendered)."""

    name: str
    project: str
    wave: int
    namespace: str
    source: str  # "in-repo" | "upstream"
    chart: str  # in-repo: chart path; upstream: chart name
    version: str  # upstream: chart version; in-repo: targetRevision
    objects: list[dict[str, Any]] = field(default_factory=list)
    rendered: bool = False
    manifest_file: Path | None = None
    application: dict[str, Any] = field(default_factory=dict)  # the Application object itself
    repo_url: str = ""
    release: str = ""
    value_files: list[str] = field(default_factory=list)  # as written in the Application
    value_paths: list[Path] = field(default_factory=list)  # resolved in this checkout
    from_cache: bool = False
    skip_crds: bool = False  # helm.skipCrds of the Application
    # helm.valuesObject (or helm.values parsed): applied after the value files, as Argo CD does.
    inline_values: dict[str, Any] = field(default_factory=dict)
    manifest_text: str = field(default="", repr=False)  # helm's output, written as it came


@dataclass
class RenderedEnvironment:
    env: str
    kubernetes_version: str
    root_objects: list[dict[str, Any]]  # Applications and AppProjects the app-of-apps chart renders
    applications: list[RenderedApplication]
    values: dict[str, Any]  # app-of-apps values: chart defaults merged with platform.yaml
    findings: list[Finding]
    out_dir: Path
    root_manifest_file: Path | None = None
    root_manifest_text: str = field(default="", repr=False)
    bootstrap_objects: list[dict[str, Any]] = field(default_factory=list)  # .argocd/bootstrap/<env>.yaml
    bootstrap_file: str = ""

    @property
    def root_application(self) -> dict[str, Any] | None:
        """The root Application of the bootstrap file (None when the env has no bootstrap file)."""
        return next((obj for obj in self.bootstrap_objects if obj.get("kind") == "Application"), None)

    @property
    def projects(self) -> dict[str, dict[str, Any]]:
        return {
            str(obj["metadata"]["name"]): obj
            for obj in self.root_objects
            if obj.get("kind") == "AppProject" and isinstance(obj.get("metadata"), dict)
        }

    def application(self, name: str) -> RenderedApplication | None:
        return next((app for app in self.applications if app.name == name), None)

    @property
    def root_failed(self) -> bool:
        """True when the app-of-apps chart did not render: no child Application is known at all."""
        return any(f.gate == "render" and f.application == ROOT for f in self.findings)


def render_environment(
    env: str | Environment,
    out_dir: Path | None = None,
    *,
    root: Path | None = None,
    mirror: Path | str | None = None,
    charts: Path | str | None = None,
    render_cache: Path | None = None,
) -> RenderedEnvironment:
    """Render `env` into `out_dir` (default build/rendered/<env>); see the module docstring."""
    rendered = _render(env, out_dir, root=root, mirror=mirror, charts=charts, render_cache=render_cache, children=True)
    _write(rendered)
    return rendered


def render_root(
    env: str | Environment,
    *,
    root: Path | None = None,
    mirror: Path | str | None = None,
    render_cache: Path | None = None,
) -> RenderedEnvironment:
    """Only the app-of-apps chart: its objects and the child Applications it declares (none of them
    rendered, nothing written), e.g. to know which upstream charts an env deploys."""
    return _render(env, None, root=root, mirror=mirror, charts=None, render_cache=render_cache, children=False)


def _render(
    env: str | Environment,
    out_dir: Path | None,
    *,
    root: Path | None,
    mirror: Path | str | None,
    charts: Path | str | None,
    render_cache: Path | None,
    children: bool,
) -> RenderedEnvironment:
    environment = env if isinstance(env, Environment) else get_environment(env, root or repo_root())
    base = environment.root
    renderer = _Renderer(
        environment,
        cache_dir=render_cache if render_cache is not None else base / ".cache" / "render",
        archive_dir=chart_cache(charts, base),
        api_versions=cluster_api_versions(environment.kubernetes_version, CrdCatalogue(upstream_mirror(mirror, base))),
    )
    values = _app_of_apps_values(environment, base)
    bootstrap_file = base / BOOTSTRAP_DIR / f"{environment.name}.yaml"
    bootstrap_objects = renderer.bootstrap(bootstrap_file)
    root_release = _root_release(bootstrap_objects) or f"platform-{environment.name}"
    root_text, root_objects = renderer.root(root_release, str((values.get("argocd") or {}).get("namespace", "argocd")))
    applications = renderer.children(root_objects, render=children)
    rendered = RenderedEnvironment(
        environment.name,
        environment.kubernetes_version,
        root_objects,
        applications,
        values,
        renderer.findings,
        out_dir or build_dir(base) / "rendered" / environment.name,
        root_manifest_text=root_text,
        bootstrap_objects=bootstrap_objects,
        bootstrap_file=relative_path(bootstrap_file, base) if bootstrap_file.is_file() else "",
    )
    return rendered


class _Renderer:
    """The helm calls of one environment; every failure becomes a `render` finding."""

    def __init__(self, environment: Environment, *, cache_dir: Path, archive_dir: Path, api_versions: tuple[str, ...]):
        self.environment = environment
        self.base = environment.root
        self.cache_dir = cache_dir
        self.archive_dir = archive_dir
        self.api_versions = api_versions
        self.kube_version = f"{environment.kubernetes_version}.0"
        self.findings: list[Finding] = []

    def finding(self, application: str, file: str, message: str, fix: str) -> None:
        kind, name = ("Application", application) if not application.startswith("_") else ("", "")
        self.findings.append(Finding("render", self.environment.name, application, kind, name, file, message, fix))

    def bootstrap(self, path: Path) -> list[dict[str, Any]]:
        """The objects of .argocd/bootstrap/<env>.yaml (none when the env has no bootstrap file)."""
        if not path.is_file():
            return []
        try:
            return parse_manifest(path.read_text(encoding="utf-8"), relative_path(path, self.base))
        except PlatformError as error:
            self.finding("_bootstrap", relative_path(path, self.base), error.message, error.fix or "correct the YAML")
            return []

    def root(self, release: str, namespace: str) -> tuple[str, list[dict[str, Any]]]:
        """helm's output and the objects of the app-of-apps chart with this env's platform.yaml."""
        platform_file = relative_path(self.environment.platform_file, self.base)
        try:
            text, _ = helm.template(
                helm.HelmRequest(
                    chart=self.base / APP_OF_APPS_CHART,
                    release=release,
                    namespace=namespace,
                    value_files=(self.environment.platform_file,),
                    kube_version=self.kube_version,
                    api_versions=self.api_versions,
                ),
                root=self.base,
                cache_dir=self.cache_dir,
            )
            return text, parse_manifest(text, f"{APP_OF_APPS_CHART} (rendered with {platform_file})")
        except ToolMissingError:
            raise  # not a finding of this repository: the command stops with one line (cli.main)
        except PlatformError as error:
            self.finding(ROOT, platform_file, error.message, error.fix or "fix the app-of-apps chart")
            return "", []

    def children(self, root_objects: list[dict[str, Any]], *, render: bool = True) -> list[RenderedApplication]:
        """Every child Application, rendered (2 helm calls at a time) when its chart is available."""
        applications = []
        for obj in root_objects:
            if obj.get("kind") == "Application":
                app, problem, fix = _parse_application(obj, self.base)
                applications.append(app)
                if problem:
                    self.finding(app.name, APP_OF_APPS_CHART, problem, fix)
        if not render:
            return applications
        with ThreadPoolExecutor(max_workers=HELM_WORKERS) as pool:
            for app, error in pool.map(self.render_child, applications):
                if error is not None:
                    self.finding(app.name, app.chart, error.message, error.fix or "fix the chart or its values")
        return applications

    def render_child(self, app: RenderedApplication) -> tuple[RenderedApplication, PlatformError | None]:
        chart = _chart_location(app, self.base, self.archive_dir)
        if chart is None or any(not path.is_file() for path in app.value_paths):
            return app, None  # nothing renderable here; the values and graph gates say why
        inline = _inline_values_file(app, self.cache_dir)
        request = helm.HelmRequest(
            chart,
            app.release,
            app.namespace,
            (*app.value_paths, *([inline] if inline else [])),
            self.kube_version,
            self.api_versions,
            include_crds=not app.skip_crds,
        )
        try:
            text, hit = helm.template(request, root=self.base, cache_dir=self.cache_dir)
            app.objects = parse_manifest(text, f"rendered {app.chart}", self.cache_dir / PARSED)
        except ToolMissingError:
            raise
        except PlatformError as error:
            return app, error
        app.manifest_text, app.rendered, app.from_cache = text, True, hit
        return app, None


def _root_release(bootstrap_objects: list[dict[str, Any]]) -> str:
    for obj in bootstrap_objects:
        if obj.get("kind") == "Application":
            spec = obj.get("spec") or {}
            for source in spec.get("sources") or [spec.get("source") or {}]:
                release = ((source or {}).get("helm") or {}).get("releaseName")
                if release:
                    return str(release)
            return str((obj.get("metadata") or {}).get("name", ""))
    return ""


def _app_of_apps_values(environment: Environment, base: Path) -> dict[str, Any]:
    try:
        defaults = load_yaml(base / APP_OF_APPS_CHART / "values.yaml") or {}
        return deep_merge(defaults, environment.platform)
    except PlatformError:
        return {}  # the root render reports the same problem as a finding


def _parse_application(obj: dict[str, Any], base: Path) -> tuple[RenderedApplication, str, str]:
    """The Application as a RenderedApplication (not yet rendered), and (problem, fix) if malformed."""
    metadata = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    name = str(metadata.get("name", "?"))
    try:
        wave = int(str((metadata.get("annotations") or {}).get("argocd.argoproj.io/sync-wave", "0")))
    except ValueError:
        wave = 0
    sources = spec.get("sources") or ([spec["source"]] if spec.get("source") else [])
    chart_sources = [s for s in sources if isinstance(s, dict) and not s.get("ref")]
    app = RenderedApplication(
        name=name,
        project=str(spec.get("project", "")),
        wave=wave,
        namespace=str((spec.get("destination") or {}).get("namespace", "")),
        source="in-repo",
        chart="",
        version="",
        application=obj,
    )
    if len(chart_sources) != 1:
        return app, f"expected exactly one chart source, found {len(chart_sources)}", "one chart source + ref: values"
    source = chart_sources[0]
    app.repo_url = str(source.get("repoURL", ""))
    app.version = str(source.get("targetRevision", ""))
    if source.get("chart"):
        app.source, app.chart = "upstream", str(source["chart"])
    else:
        app.chart = str(source.get("path", ""))
    helm_spec = source.get("helm") or {}
    app.release = str(helm_spec.get("releaseName") or name)
    app.skip_crds = bool(helm_spec.get("skipCrds", False))
    app.value_files = [str(v) for v in helm_spec.get("valueFiles") or []]
    app.value_paths = [_resolve_value_file(v, app, base) for v in app.value_files]
    inline = helm_spec.get("valuesObject")
    if inline is None and helm_spec.get("values"):
        try:
            inline = yaml.safe_load(str(helm_spec["values"]))
        except yaml.YAMLError:
            return app, "helm.values is not valid YAML", "correct helm.values or move it into a value file"
    if inline is not None and not isinstance(inline, dict):
        return app, "helm.values/valuesObject is not a map", "give a map of chart values"
    app.inline_values = inline or {}
    if helm_spec.get("parameters"):
        return app, "helm.parameters are not checked by the offline gate", "move them into the value files"
    return app, "", ""


def _inline_values_file(app: RenderedApplication, cache_dir: Path) -> Path | None:
    """The Application's inline values as a file for helm (content-addressed, so cache keys stay exact)."""
    if not app.inline_values:
        return None
    text = yaml.safe_dump(app.inline_values, sort_keys=True)
    path = cache_dir / "inline" / f"{hashlib.sha256(text.encode()).hexdigest()[:32]}.yaml"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path


def _resolve_value_file(value_file: str, app: RenderedApplication, base: Path) -> Path:
    if value_file.startswith(VALUES_PREFIX):
        return base / value_file[len(VALUES_PREFIX) :]
    return base / app.chart / value_file  # relative to an in-repo chart (Argo CD semantics)


def _chart_location(app: RenderedApplication, base: Path, archive_dir: Path) -> Path | None:
    if app.source == "upstream":
        archive = archive_dir / f"{app.chart}-{app.version}.tgz"
        return archive if archive.is_file() else None
    chart = base / app.chart
    return chart if app.chart and (chart / "Chart.yaml").is_file() else None


OUTPUT_MARKER = ".rendered-by-platformctl"


def _written_by_render(folder: Path) -> bool:
    """True when `folder` is empty, carries the marker, or holds only what render writes."""
    if (folder / OUTPUT_MARKER).is_file():
        return True
    files = [path.relative_to(folder) for path in folder.rglob("*") if not path.is_dir()]
    return all(len(path.parts) == 2 and path.name in {"manifest.yaml", "applications.yaml"} for path in files)


def _write(rendered: RenderedEnvironment) -> None:
    """Replace the output folder; only ever delete a folder an earlier render wrote (marker file)."""
    out = rendered.out_dir
    if out.exists():
        if not _written_by_render(out):
            raise PlatformError(
                f"{out} is not empty and was not written by `platformctl render`; refusing to replace it",
                fix="pass an empty or new folder to --out",
            )
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / OUTPUT_MARKER).write_text("written by platformctl render; replaced on every render\n", encoding="utf-8")
    root_file = rendered.out_dir / "_root" / "applications.yaml"
    root_file.parent.mkdir(parents=True, exist_ok=True)
    root_file.write_text(rendered.root_manifest_text, encoding="utf-8")
    rendered.root_manifest_file = root_file
    for app in rendered.applications:
        if not app.rendered:
            continue
        manifest = rendered.out_dir / app.name / "manifest.yaml"
        manifest.parent.mkdir(parents=True, exist_ok=True)
        manifest.write_text(app.manifest_text, encoding="utf-8")
        app.manifest_file = manifest
