"""Graph gate: the app-of-apps tree of one environment, checked as a whole.

Rules (each finding names the Application, the object and the fix):
- sources exist: in-repo chart paths hold a Chart.yaml, value files exist, values come base then env;
- the AppProject exists and allows the Application's source repositories, its destination and every
  namespace and kind it renders (cluster-scoped whitelist/blacklist, namespaced whitelist/blacklist);
- no two Applications own the same object (group/kind/namespace/name);
- every namespace an Application uses exists when it syncs (Namespace object of an earlier wave);
- waves respect `dependsOn`, and the Application providing the CRD of a custom resource is in the env
  (whether the CRD exists when the object is applied is the sync gate's check);
- every required component is present (platformctl.catalogue.REQUIRED_COMPONENTS);
- prod: exact chart versions, a tag or commit (never a branch) as targetRevision, immutable images.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from platformctl.catalogue import CRD_PROVIDERS, REQUIRED_COMPONENTS
from platformctl.crds import CrdCatalogue
from platformctl.findings import Finding
from platformctl.images import EXACT_VERSION, mutable_image_problem
from platformctl.manifests import (
    ObjectKey,
    group_of,
    iter_images,
    kind_and_name,
    object_key,
)
from platformctl.paths import relative_path
from platformctl.render import (
    APP_OF_APPS_CHART,
    BOOTSTRAP_DIR,
    VALUES_PREFIX,
    RenderedApplication,
    RenderedEnvironment,
)

GATE = "graph"
PROD_ENVIRONMENTS = frozenset({"prod"})
ALWAYS_PRESENT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
RELEASE_TAG = re.compile(r"^v\d+\.\d+\.\d+$")
COMMIT_SHA = re.compile(r"^[0-9a-f]{40}$")


class GraphChecker:
    def __init__(
        self,
        rendered: RenderedEnvironment,
        root: Path,
        crds: CrdCatalogue,
        required: Sequence[str] = REQUIRED_COMPONENTS,
    ) -> None:
        self.rendered = rendered
        self.env = rendered.env
        self.root = root
        self.crds = crds
        self.required = required
        self.findings: list[Finding] = []
        self.components: dict[str, Any] = rendered.values.get("components") or {}
        self.repo_url = str((rendered.values.get("repo") or {}).get("url", ""))

    def add(self, app: str, message: str, fix: str, kind: str = "Application", name: str = "", file: str = "") -> None:
        name = name or app
        file = file or f"clusters/{self.env}/platform.yaml"
        self.findings.append(Finding(GATE, self.env, app, kind, name, file, message, fix))

    def run(self) -> list[Finding]:
        self.check_bootstrap()
        self.check_required_components()
        for app in self.rendered.applications:
            self.check_sources(app)
            self.check_project(app)
            self.check_waves(app)
            if self.env in PROD_ENVIRONMENTS:
                self.check_prod_pins(app)
        self.check_ownership()
        self.check_namespaces_exist()
        return self.findings

    # -- root ------------------------------------------------------------------------------------------
    def check_bootstrap(self) -> None:
        """The root Application renders .argocd/apps with this env's platform.yaml, and its AppProject
        allows what the app-of-apps chart renders (Applications and AppProjects in argocd)."""
        file = self.rendered.bootstrap_file
        root = self.rendered.root_application
        if root is None:
            self.add(
                "_bootstrap",
                f"no root Application in {BOOTSTRAP_DIR}/{self.env}.yaml",
                f"add the root Application of env {self.env} (see .argocd/bootstrap/dev.yaml)",
                file=file or f"{BOOTSTRAP_DIR}/{self.env}.yaml",
            )
            return
        spec = root.get("spec") or {}
        source = (spec.get("sources") or [spec.get("source") or {}])[0] or {}
        name = str((root.get("metadata") or {}).get("name", ""))
        value_files = [str(v) for v in (source.get("helm") or {}).get("valueFiles") or []]
        chart_dir = self.root / str(source.get("path", ""))
        expected = (self.root / "clusters" / self.env / "platform.yaml").resolve()
        if str(source.get("path", "")).rstrip("/") != APP_OF_APPS_CHART:
            self.add(
                "_bootstrap",
                f"root Application renders {source.get('path')!r}, not {APP_OF_APPS_CHART}",
                f"set spec.source.path to {APP_OF_APPS_CHART}",
                name=name,
                file=file,
            )
        elif [(chart_dir / v).resolve() for v in value_files] != [expected]:
            self.add(
                "_bootstrap",
                f"root Application value files {value_files} are not clusters/{self.env}/platform.yaml",
                f"set helm.valueFiles to [../../clusters/{self.env}/platform.yaml]",
                name=name,
                file=file,
            )
        self.check_root_project(root)

    def check_root_project(self, root: dict[str, Any]) -> None:
        """The root's AppProject (when the bootstrap file defines it) allows every root-rendered object."""
        spec = root.get("spec") or {}
        file = self.rendered.bootstrap_file
        project_name = str(spec.get("project", ""))
        project = next(
            (
                o
                for o in self.rendered.bootstrap_objects
                if o.get("kind") == "AppProject" and (o.get("metadata") or {}).get("name") == project_name
            ),
            None,
        )
        if project is None:
            return  # a project defined elsewhere (e.g. by Argo CD's own install) cannot be checked here
        project_spec = project.get("spec") or {}
        server = str((spec.get("destination") or {}).get("server", ""))
        for obj in self.rendered.root_objects:
            group, kind = group_of(str(obj.get("apiVersion", ""))), str(obj.get("kind", ""))
            namespace = str(
                (obj.get("metadata") or {}).get("namespace") or (spec.get("destination") or {}).get("namespace", "")
            )
            whitelist = project_spec.get("namespaceResourceWhitelist")
            allowed = (whitelist is None or _kind_listed(whitelist, group, kind)) and _destination_allowed(
                project_spec, server, namespace
            )
            if not allowed:
                _, obj_name = kind_and_name(obj)
                self.add(
                    "_root",
                    f"root project {project_name} does not allow {kind} in namespace {namespace}",
                    f"allow it in the AppProject of {BOOTSTRAP_DIR}/{self.env}.yaml",
                    kind,
                    obj_name,
                    file,
                )

    # -- presence ---------------------------------------------------------------------------------
    def check_required_components(self) -> None:
        present = {app.name for app in self.rendered.applications}
        for name in self.required:
            if name not in present:
                self.add(
                    name,
                    f"required component {name} is missing from env {self.env}",
                    f"enable components.{name} in clusters/{self.env}/platform.yaml",
                )

    def check_sources(self, app: RenderedApplication) -> None:
        if app.source == "in-repo":
            if app.repo_url != self.repo_url:
                self.add(app.name, f"in-repo chart from {app.repo_url}, not this repository", f"use {self.repo_url}")
            if not app.chart or not (self.root / app.chart / "Chart.yaml").is_file():
                self.add(
                    app.name,
                    f"chart path {app.chart or '(empty)'} has no Chart.yaml in this repository",
                    "correct components.<name>.path or add the chart",
                    file=app.chart,
                )
        elif not app.version:
            self.add(app.name, f"upstream chart {app.chart} has no version", "pin chart.version in platform.yaml")
        for written, path in zip(app.value_files, app.value_paths, strict=True):
            if not path.is_file():
                self.add(app.name, f"value file {written} does not exist", "create it or fix components.<name>.values")
        self.check_value_order(app)

    def check_value_order(self, app: RenderedApplication) -> None:
        files = app.value_files
        names = [Path(v).name for v in files]
        base, env_file = "values.yaml", f"values-{self.env}.yaml"
        if base not in names or env_file not in names:
            self.add(
                app.name,
                f"value files {files} must include values.yaml and {env_file}",
                f"set helm.valueFiles to [$values/<folder>/values.yaml, $values/<folder>/{env_file}]",
            )
            return
        if names.index(base) > names.index(env_file):
            self.add(
                app.name,
                f"value files in the wrong order {names}: the env file must come after the base (later wins)",
                f"order them values.yaml, then {env_file}",
            )
        if any(not v.startswith(VALUES_PREFIX) for v in files) and app.source == "upstream":
            self.add(app.name, f"value files {files} do not come from $values", "prefix them with $values/")

    # -- AppProject ------------------------------------------------------------------------------
    def check_project(self, app: RenderedApplication) -> None:
        project = self.rendered.projects.get(app.project)
        if project is None:
            self.add(app.name, f"AppProject {app.project!r} is not rendered in this env", "define it under projects")
            return
        spec = project.get("spec") or {}
        sources = [s for s in (app.application.get("spec") or {}).get("sources") or [] if isinstance(s, dict)]
        for source in sources:
            repo = str(source.get("repoURL", ""))
            if not any(_glob(repo, str(p)) for p in spec.get("sourceRepos") or []):
                self.add(
                    app.name,
                    f"AppProject {app.project} does not allow source repository {repo}",
                    f"add {repo} to the sourceRepos of AppProject {app.project}",
                )
        destination = (app.application.get("spec") or {}).get("destination") or {}
        server = str(destination.get("server") or destination.get("name") or "")
        if not _destination_allowed(spec, server, app.namespace):
            self.add(
                app.name,
                f"AppProject {app.project} does not allow destination {server} namespace {app.namespace}",
                f"add the namespace to the project destinations (components.{app.name}.namespace/extraNamespaces)",
            )
        denied_namespaces: set[str] = set()
        for obj in app.objects:
            group = group_of(str(obj.get("apiVersion", "")))
            kind, name = kind_and_name(obj)
            file = relative_path(app.manifest_file, self.root)
            if self.is_cluster_scoped(group, kind):
                if not _kind_listed(spec.get("clusterResourceWhitelist"), group, kind) or _kind_listed(
                    spec.get("clusterResourceBlacklist"), group, kind
                ):
                    self.add(
                        app.name,
                        f"AppProject {app.project} does not allow cluster-scoped {kind}.{group or 'core'}",
                        f"add {{group: {group!r}, kind: {kind}}} to its clusterResourceWhitelist, or drop the object",
                        kind,
                        name,
                        file,
                    )
                continue
            whitelist = spec.get("namespaceResourceWhitelist")
            if (whitelist is not None and not _kind_listed(whitelist, group, kind)) or _kind_listed(
                spec.get("namespaceResourceBlacklist"), group, kind
            ):
                self.add(
                    app.name,
                    f"AppProject {app.project} does not allow namespaced {kind}.{group or 'core'}",
                    f"add {{group: {group!r}, kind: {kind}}} to its namespaceResourceWhitelist, or drop the object",
                    kind,
                    name,
                    file,
                )
            namespace = str((obj.get("metadata") or {}).get("namespace") or app.namespace)
            if namespace not in denied_namespaces and not _destination_allowed(spec, server, namespace):
                denied_namespaces.add(namespace)
                self.add(
                    app.name,
                    f"renders into namespace {namespace}, which AppProject {app.project} does not allow",
                    f"add {namespace} to components.{app.name}.extraNamespaces",
                    kind,
                    name,
                    file,
                )

    def is_cluster_scoped(self, group: str, kind: str) -> bool:
        return self.crds.is_cluster_scoped(group, kind)

    # -- ownership ---------------------------------------------------------------------------------
    def check_ownership(self) -> None:
        owners: dict[ObjectKey, str] = {}
        for app_name, key, file in self._owned_objects():
            first = owners.setdefault(key, app_name)
            if first != app_name:
                self.add(
                    app_name,
                    f"{key} is also deployed by Application {first}",
                    "deploy each object from exactly one Application (disable it in one chart's values)",
                    key.kind,
                    key.name,
                    file,
                )

    def _owned_objects(self) -> Iterator[tuple[str, ObjectKey, str]]:
        for obj in self.rendered.root_objects:
            group, kind = group_of(str(obj.get("apiVersion", ""))), str(obj.get("kind", ""))
            namespace = str((self.rendered.values.get("argocd") or {}).get("namespace", "argocd"))
            yield "_root", object_key(obj, namespace, self.is_cluster_scoped(group, kind)), ".argocd/apps"
        for app in self.rendered.applications:
            for obj in app.objects:
                group, kind = group_of(str(obj.get("apiVersion", ""))), str(obj.get("kind", ""))
                key = object_key(obj, app.namespace, self.is_cluster_scoped(group, kind))
                yield app.name, key, relative_path(app.manifest_file, self.root)

    # -- namespaces ----------------------------------------------------------------------------------
    def check_namespaces_exist(self) -> None:
        """Every namespace an Application deploys into exists when it syncs: created by a Namespace
        object of an Application in an earlier wave, by CreateNamespace=true (its destination only),
        or one Kubernetes and Argo CD always have."""
        created: dict[str, RenderedApplication] = {}
        for app in self.rendered.applications:
            for obj in app.objects:
                if obj.get("kind") == "Namespace" and group_of(str(obj.get("apiVersion", ""))) == "":
                    created.setdefault(kind_and_name(obj)[1], app)
        always = set(ALWAYS_PRESENT_NAMESPACES) | {str((self.rendered.values.get("argocd") or {}).get("namespace", ""))}
        for app in self.rendered.applications:
            options = ((app.application.get("spec") or {}).get("syncPolicy") or {}).get("syncOptions") or []
            creates_destination = "CreateNamespace=true" in options
            used = {app.namespace} if app.namespace else set()
            for obj in app.objects:
                group, kind = group_of(str(obj.get("apiVersion", ""))), str(obj.get("kind", ""))
                if not self.is_cluster_scoped(group, kind):
                    used.add(str((obj.get("metadata") or {}).get("namespace") or app.namespace))
            for namespace in sorted(used - always):
                if namespace == app.namespace and creates_destination:
                    continue
                creator = created.get(namespace)
                if creator is None:
                    self.add(
                        app.name,
                        f"deploys into namespace {namespace}, which no Application creates",
                        f"create namespace {namespace} in the namespaces component (or CreateNamespace=true)",
                    )
                elif creator is not app and creator.wave >= app.wave:
                    self.add(
                        app.name,
                        f"deploys into namespace {namespace} in wave {app.wave}, but {creator.name} creates it "
                        f"in wave {creator.wave}",
                        f"give {app.name} a wave higher than {creator.wave}",
                    )

    # -- waves -------------------------------------------------------------------------------------
    def crd_providers(self) -> dict[str, str]:
        return crd_providers(self.rendered.applications)

    def check_waves(self, app: RenderedApplication) -> None:
        by_name = {a.name: a for a in self.rendered.applications}
        component = self.components.get(app.name) or {}
        for dependency in component.get("dependsOn") or []:
            provider = by_name.get(dependency)
            if provider is None:
                self.add(app.name, f"dependsOn {dependency}, which this env does not run", f"enable {dependency}")
            elif provider.wave >= app.wave:
                self.add(
                    app.name,
                    f"wave {app.wave} is not after its dependency {dependency} (wave {provider.wave})",
                    f"give {app.name} a wave higher than {provider.wave}",
                )
        providers = self.crd_providers()
        reported: set[str] = set()
        for obj in app.objects:
            group, kind = group_of(str(obj.get("apiVersion", ""))), str(obj.get("kind", ""))
            provider_name = providers.get(group)
            if provider_name is None or provider_name == app.name or group in reported:
                continue
            reported.add(group)
            if provider_name not in by_name:
                _, name = kind_and_name(obj)
                self.add(
                    app.name,
                    f"creates {kind}.{group} but {provider_name}, which provides its CRD, is not in env {self.env}",
                    f"enable {provider_name}",
                    kind,
                    name,
                    relative_path(app.manifest_file, self.root),
                )
        # Whether the CRD exists when the object is applied (waves, SkipDryRunOnMissingResource) is the
        # sync gate's check (platformctl.syncsim.crd_order), per kind, as Argo CD orders the sync.

    # -- prod pins ---------------------------------------------------------------------------------
    def check_prod_pins(self, app: RenderedApplication) -> None:
        for source in (app.application.get("spec") or {}).get("sources") or []:
            if not isinstance(source, dict):
                continue
            revision = str(source.get("targetRevision", ""))
            if source.get("chart"):
                if not EXACT_VERSION.match(revision):
                    self.add(
                        app.name,
                        f"chart {source['chart']} version {revision!r} is not an exact version",
                        "pin an exact chart version (X.Y.Z) in clusters/prod/platform.yaml",
                    )
            elif not (RELEASE_TAG.match(revision) or COMMIT_SHA.match(revision)):
                self.add(
                    app.name,
                    f"targetRevision {revision!r} of {source.get('repoURL')} is not a release tag or commit",
                    "set repo.targetRevision to a release tag vX.Y.Z in clusters/prod/platform.yaml",
                )
        for obj in app.objects:
            kind, name = kind_and_name(obj)
            for container, image in iter_images(obj):
                problem = mutable_image_problem(image)
                if problem:
                    self.add(
                        app.name,
                        f"{container} image {image} {problem}",
                        "pin an exact version tag or a @sha256 digest in the values-prod.yaml",
                        kind,
                        name,
                        relative_path(app.manifest_file, self.root),
                    )


def _glob(value: str, pattern: str) -> bool:
    return pattern == "*" or fnmatch.fnmatchcase(value, pattern)


def _kind_listed(entries: Any, group: str, kind: str) -> bool:
    return any(
        isinstance(e, dict) and _glob(group, str(e.get("group", ""))) and _glob(kind, str(e.get("kind", "")))
        for e in entries or []
    )


def _destination_allowed(spec: dict[str, Any], server: str, namespace: str) -> bool:
    allowed = False
    for destination in spec.get("destinations") or []:
        pattern_server = str(destination.get("server") or destination.get("name") or "*")
        pattern_namespace = str(destination.get("namespace", "*"))
        if not _glob(server, pattern_server):
            continue
        if pattern_namespace.startswith("!"):
            if _glob(namespace, pattern_namespace[1:]):
                return False
        elif _glob(namespace, pattern_namespace):
            allowed = True
    return allowed


def crd_providers(applications: Iterable[RenderedApplication]) -> dict[str, str]:
    """API group -> Application installing its CRDs (rendered CRDs win over the catalogue)."""
    providers = dict(CRD_PROVIDERS)
    for app in applications:
        for obj in app.objects:
            if obj.get("kind") == "CustomResourceDefinition":
                providers[str((obj.get("spec") or {}).get("group", ""))] = app.name
    return providers
