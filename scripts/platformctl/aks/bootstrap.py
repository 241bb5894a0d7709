"""Hand a fresh cluster to Argo CD: install Argo CD from its chart, give it the repository credentials
from Key Vault, apply the root Application, report.

The steps are data (`Step`: what, the exact command, the manifest it sends), so `--dry-run` prints
exactly what a real run executes, and a real run executes exactly what `--dry-run` printed.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from platformctl.aks.repo_creds import SecretFromKeyVault, repo_credentials
from platformctl.environments import Environment, load_yaml
from platformctl.errors import PlatformError
from platformctl.paths import chart_cache, repo_root, upstream_mirror
from platformctl.tools import find_tool

#: Runs one command and returns its stdout (`run_command`; tests pass their own).
Runner = Callable[[Sequence[str]], str]
#: Runs one command with text on its stdin and returns its stdout.
StdinRunner = Callable[[Sequence[str], str], str]


@dataclass(frozen=True)
class ChartRef:
    repo_url: str
    name: str
    version: str


@dataclass(frozen=True)
class ArgoCdInstall:
    """How bootstrap installs Argo CD: the same chart, release and namespace as its own Application.

    Argo CD manages itself afterwards (component `argo-cd` of the app-of-apps); installing with the
    release name that Application renders with gives identical object names, so Argo CD adopts what
    bootstrap installed instead of creating a second copy.
    """

    chart: ChartRef
    release: str
    namespace: str
    values_dir: str


#: Used when the app-of-apps catalogue has no argo-cd component (it normally has one).
DEFAULT_INSTALL = ArgoCdInstall(
    ChartRef("https://argoproj.github.io/argo-helm", "argo-cd", "10.1.1"), "argo-cd", "argocd", "platform/argo-cd"
)
APPS_CATALOGUE = ".argocd/apps/values.yaml"
ARGO_CD_COMPONENT = "argo-cd"
BOOTSTRAP_DIR = ".argocd/bootstrap"
CRD_FILES = {"Application": "crds/argo-cd/application-crd.yaml", "AppProject": "crds/argo-cd/appproject-crd.yaml"}
HELM_TIMEOUT = "10m"
CRD_TIMEOUT = "120s"
#: Seconds the root Application gets to become Synced and Healthy (every child app syncs in waves).
ROOT_APP_TIMEOUT_SECONDS = 20 * 60
ROOT_APP_POLL_SECONDS = 10


@dataclass(frozen=True)
class Step:
    """One command; a `secret` step first reads its values from Key Vault, then sends the Secret on stdin."""

    title: str
    argv: list[str]
    manifest_files: list[Path] = field(default_factory=list)
    secret: SecretFromKeyVault | None = None

    def commands(self) -> list[list[str]]:
        """Every command the step runs, in order (what the dry run prints)."""
        if self.secret is None:
            return [self.argv]
        az = shutil.which("az") or "az"
        return [*(self.secret.read_command(az, name) for name in self.secret.from_vault.values()), self.argv]


def run_secret_step(step: Step, read: Runner, apply: StdinRunner) -> None:
    """Read each Key Vault secret of the step, then apply the Secret through stdin (never on disk)."""
    secret = step.secret
    assert secret is not None
    values: dict[str, str] = {}
    for (key, name), argv in zip(secret.from_vault.items(), step.commands(), strict=False):
        try:
            values[key] = read(argv).rstrip("\n")
        except PlatformError as error:
            raise PlatformError(
                f"reading Key Vault secret {name} of vault {secret.vault} for Secret {secret.namespace}/{secret.name}: "
                f"{error.message}",
                fix=f"create it (`az keyvault secret set --vault-name {secret.vault} --name {name} ...`) and make "
                "sure you may read secrets of the vault",
            ) from None
        if not values[key]:
            raise PlatformError(f"Key Vault secret {name} of vault {secret.vault} is empty", fix="set its value")
    apply(step.argv, secret.manifest(values))


@dataclass(frozen=True)
class RootApplication:
    name: str
    namespace: str
    file: Path
    documents: list[dict[str, Any]]


@dataclass(frozen=True)
class BootstrapPlan:
    env: str
    install: ArgoCdInstall
    values_files: list[Path]
    root_app: RootApplication
    steps: list[Step]


def argo_cd_install(env: Environment) -> ArgoCdInstall:
    """Chart, version, release and namespace of the argo-cd component (catalogue, then platform.yaml)."""
    catalogue_file = env.root / APPS_CATALOGUE
    catalogue = (load_yaml(catalogue_file) or {}).get("components", {}) if catalogue_file.is_file() else {}
    override = (env.platform.get("components") or {}) if env.platform_file.is_file() else {}
    base, mine = catalogue.get(ARGO_CD_COMPONENT) or {}, override.get(ARGO_CD_COMPONENT) or {}
    if not base and not mine:
        return DEFAULT_INSTALL
    component = {**base, **mine, "chart": {**(base.get("chart") or {}), **(mine.get("chart") or {})}}
    if component.get("enabled") is False:
        raise PlatformError(
            f"{env.platform_file.relative_to(env.root)}: component {ARGO_CD_COMPONENT} is disabled",
            fix="enable it: Argo CD manages itself after bootstrap",
        )
    chart = component["chart"]
    missing = ", ".join(key for key in ("repoURL", "name", "version") if not chart.get(key))
    if missing:
        raise PlatformError(
            f"{env.platform_file.relative_to(env.root)}: component {ARGO_CD_COMPONENT} has no chart {missing}",
            fix=f"set components.{ARGO_CD_COMPONENT}.chart.version (e.g. {DEFAULT_INSTALL.chart.version})",
        )
    return ArgoCdInstall(
        chart=ChartRef(chart["repoURL"], chart["name"], str(chart["version"])),
        release=component.get("releaseName") or ARGO_CD_COMPONENT,
        namespace=component.get("namespace") or DEFAULT_INSTALL.namespace,
        values_dir=component.get("values") or DEFAULT_INSTALL.values_dir,
    )


def values_files(env: Environment, install: ArgoCdInstall) -> list[Path]:
    """Base then env values (later wins), both required: the same files Argo CD later syncs itself with."""
    files = [env.root / install.values_dir / "values.yaml", env.root / install.values_dir / f"values-{env.name}.yaml"]
    for path in files:
        if not path.is_file():
            raise PlatformError(
                f"{path.relative_to(env.root)}: Argo CD values file not found",
                fix=f"create it (base values.yaml, then values-{env.name}.yaml); see docs/contracts.md",
            )
        load_yaml(path)
    return files


def load_root_application(env: Environment, namespace: str, mirror: Path | None = None) -> RootApplication:
    """`.argocd/bootstrap/<env>.yaml`: one Application (+ its AppProjects), each checked against its CRD."""
    path = env.root / BOOTSTRAP_DIR / f"{env.name}.yaml"
    relative = path.relative_to(env.root)
    if not path.is_file():
        raise PlatformError(f"{relative}: root Application not found", fix=f"create {relative} (see DESIGN.md)")
    try:
        documents = [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    except yaml.YAMLError as error:
        raise PlatformError(f"{relative}: malformed YAML: {error}", fix="correct the YAML syntax") from None
    kinds = [doc.get("kind") if isinstance(doc, dict) else None for doc in documents]
    if kinds.count("Application") != 1 or any(kind not in CRD_FILES for kind in kinds):
        raise PlatformError(
            f"{relative}: expected one Application (and its AppProjects), found kinds {kinds}",
            fix="keep only the root Application and the AppProject it uses in the bootstrap file",
        )
    base = mirror or upstream_mirror()
    for document in documents:
        _check_document(document, relative, namespace, base)
    application = documents[kinds.index("Application")]
    return RootApplication(application["metadata"]["name"], namespace, path, documents)


@functools.cache
def _load_crd(path: Path) -> dict[str, Any]:
    """A mirrored CRD (hundreds of KB: parsed with libyaml when available, once per process)."""
    if not path.is_file():
        raise PlatformError(f"{path}: CRD missing from the upstream mirror", fix="point --mirror at shared/upstream")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def _check_document(document: dict[str, Any], relative: Path, namespace: str, mirror: Path) -> None:
    kind = document["kind"]
    name = (document.get("metadata") or {}).get("name")
    if not name:
        raise PlatformError(f"{relative}: {kind} has no metadata.name", fix="name every object")
    if document["metadata"].get("namespace") != namespace:
        raise PlatformError(
            f"{relative}: {kind}/{name} is not in namespace {namespace!r}, the one Argo CD watches",
            fix=f"set metadata.namespace: {namespace}",
        )
    crd = _load_crd(mirror / CRD_FILES[kind])
    group = crd["spec"]["group"]
    served = {version["name"]: version for version in crd["spec"]["versions"]}
    api_group, _, api_version = str(document.get("apiVersion", "")).rpartition("/")
    if api_group != group or api_version not in served:
        raise PlatformError(
            f"{relative}: {kind}/{name} has apiVersion {document.get('apiVersion')!r}",
            fix=f"use {group}/{next(iter(served))}",
        )
    schema = served[api_version]["schema"]["openAPIV3Schema"]
    error = jsonschema.exceptions.best_match(jsonschema.Draft4Validator(schema).iter_errors(document))
    if error is not None:
        location = "/".join(str(part) for part in error.absolute_path) or "(document)"
        raise PlatformError(
            f"{relative}: {kind}/{name}: {location}: {error.message}", fix=f"make it match the Argo CD {kind} CRD"
        )


def kube_args(kubeconfig: str | None, context: str | None, flag_style: str) -> list[str]:
    """Connection flags: helm spells the context `--kube-context`, kubectl `--context`."""
    args = [f"--kubeconfig={kubeconfig}"] if kubeconfig else []
    if context:
        args.append(f"--kube-context={context}" if flag_style == "helm" else f"--context={context}")
    return args


def plan_bootstrap(
    env: Environment, *, kubeconfig: str | None, context: str | None = None, mirror: Path | None = None
) -> BootstrapPlan:
    install = argo_cd_install(env)
    values = values_files(env, install)
    root_app = load_root_application(env, install.namespace, mirror)
    helm, kubectl = str(find_tool("helm")), str(find_tool("kubectl"))
    helm_conn, kubectl_conn = kube_args(kubeconfig, context, "helm"), kube_args(kubeconfig, context, "kubectl")
    chart = install.chart
    credentials = [
        Step(
            f"create Argo CD's repository credentials {secret.name} from Key Vault {secret.vault} "
            "(the ExternalSecret of the same name takes them over)",
            [kubectl, "apply", "--namespace", install.namespace, "--filename", "-", *kubectl_conn],
            secret=secret,
        )
        for secret in repo_credentials(env, install.namespace)
    ]
    steps = [
        Step(
            f"install Argo CD (chart {chart.name} {chart.version}, release {install.release}) and wait for it",
            [helm, "upgrade", "--install", install.release, chart.name, "--repo", chart.repo_url,
             "--version", chart.version, "--namespace", install.namespace, "--create-namespace",
             *[arg for path in values for arg in ("--values", str(path))],
             "--wait", "--timeout", HELM_TIMEOUT, *helm_conn],
            manifest_files=values,
        ),
        *credentials,
        Step(
            "wait for the Application CRD to be established",
            [kubectl, "wait", "--for=condition=Established", "crd/applications.argoproj.io",
             f"--timeout={CRD_TIMEOUT}", *kubectl_conn],
        ),
        Step(
            f"apply the root Application {root_app.name}",
            [kubectl, "apply", "--namespace", install.namespace, "--filename", str(root_app.file), *kubectl_conn],
            manifest_files=[root_app.file],
        ),
        Step(
            f"wait until Application {root_app.name} is Synced and Healthy",
            [kubectl, "get", "application", root_app.name, "--namespace", root_app.namespace,
             "--output=json", *kubectl_conn],
        ),
    ]  # fmt: skip
    return BootstrapPlan(env.name, install, values, root_app, steps)


def render_chart_if_cached(plan: BootstrapPlan, runner: Runner) -> str | None:
    """`helm template` of Argo CD from the chart cache (offline); None when the archive is not cached."""
    chart, install = plan.install.chart, plan.install
    archive = chart_cache() / f"{chart.name}-{chart.version}.tgz"
    if not archive.is_file():
        return None
    argv = [str(find_tool("helm")), "template", install.release, str(archive), "--namespace", install.namespace]
    argv += [arg for path in plan.values_files for arg in ("--values", str(path))]
    return runner(argv)


def tool_environment() -> dict[str, str]:
    """The caller's environment, with helm's cache/config/data in the project's .cache unless already set."""
    env = dict(os.environ)
    for name in ("CACHE", "CONFIG", "DATA"):
        env.setdefault(f"HELM_{name}_HOME", str(repo_root() / ".cache" / "helm" / name.lower()))
    return env


def run_command(argv: Sequence[str], timeout: float = 900, stdin: str | None = None) -> str:
    """Run one step; a failure is a one-line PlatformError with the tool's last error line."""
    try:
        completed = subprocess.run(
            list(argv), input=stdin, capture_output=True, text=True, timeout=timeout, check=False,
            env=tool_environment(),
        )  # fmt: skip
    except FileNotFoundError:
        raise PlatformError(f"`{argv[0]}` not found", fix=f"install {Path(argv[0]).name} and put it on PATH") from None
    except subprocess.TimeoutExpired:
        raise PlatformError(f"`{Path(argv[0]).name} {argv[1]}` timed out after {timeout:.0f} s",
                            fix="check the cluster's health, then rerun bootstrap") from None  # fmt: skip
    if completed.returncode != 0:
        lines = [line for line in completed.stderr.splitlines() if line.strip()] or ["(no error output)"]
        raise PlatformError(
            f"`{Path(argv[0]).name} {' '.join(argv[1:3])}` failed (exit {completed.returncode}): {lines[-1].strip()}",
            fix="check the kubeconfig/context and that the cluster is reachable (`kubectl cluster-info`)",
        )
    return completed.stdout


@dataclass(frozen=True)
class ApplicationStatus:
    sync: str
    health: str
    message: str

    @property
    def ready(self) -> bool:
        return self.sync == "Synced" and self.health == "Healthy"


def application_status(document: dict[str, Any]) -> ApplicationStatus:
    status = document.get("status") or {}
    conditions = status.get("conditions") or []
    operation = (status.get("operationState") or {}).get("message", "")
    message = "; ".join(str(c.get("message", "")) for c in conditions) or str(operation)
    return ApplicationStatus(
        sync=(status.get("sync") or {}).get("status", "Unknown"),
        health=(status.get("health") or {}).get("status", "Unknown"),
        message=" ".join(message.split()),
    )


def wait_for_root_app(
    step: Step,
    runner: Runner,
    *,
    timeout: float = ROOT_APP_TIMEOUT_SECONDS,
    interval: float = ROOT_APP_POLL_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] = print,
) -> ApplicationStatus:
    deadline = clock() + timeout
    while True:
        status = application_status(json.loads(runner(step.argv)))
        progress(f"  root Application: sync {status.sync}, health {status.health}")
        if status.ready or clock() >= deadline:
            return status
        sleep(interval)
