"""`helm template`, run for real and cached on disk by (chart digest, values digest, options); `helm pull`.

An unchanged Application is never rendered twice: the cache key covers every input helm sees (chart
files, value files in order, release name, namespace, Kubernetes version, API versions, helm
binary), so any change to one of them renders again and nothing stale is ever served.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from platformctl.errors import PlatformError
from platformctl.tools import find_tool

HELM_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class HelmRequest:
    """One `helm template` call. `chart` is a chart folder or a chart archive (.tgz)."""

    chart: Path
    release: str
    namespace: str
    value_files: tuple[Path, ...]
    kube_version: str
    api_versions: tuple[str, ...] = ()
    include_crds: bool = True  # Argo CD applies a chart's crds/ unless the Application sets helm.skipCrds


def _digest_path(path: Path, hasher: hashlib._Hash) -> None:
    if path.is_file():
        hasher.update(path.name.encode())
        hasher.update(path.read_bytes())
        return
    for child in sorted(path.rglob("*")):
        if child.is_file():
            hasher.update(str(child.relative_to(path)).encode())
            hasher.update(child.read_bytes())


def cache_key(request: HelmRequest, helm: Path) -> str:
    hasher = hashlib.sha256()
    _digest_path(request.chart, hasher)
    chart_digest = hasher.hexdigest()
    hasher = hashlib.sha256()
    for value_file in request.value_files:
        hasher.update(str(value_file.name).encode())
        hasher.update(value_file.read_bytes() if value_file.is_file() else b"<missing>")
    values_digest = hasher.hexdigest()
    options = "\0".join(
        [
            f"{helm.stat().st_size}:{helm.stat().st_mtime_ns}",
            str(request.include_crds),
            request.release,
            request.namespace,
            request.kube_version,
            *request.api_versions,
        ]
    )
    return hashlib.sha256(f"{chart_digest}:{values_digest}:{options}".encode()).hexdigest()[:32]


def _helm_env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    base = root / ".cache" / "helm"
    env.setdefault("HELM_CACHE_HOME", str(base / "cache"))
    env.setdefault("HELM_CONFIG_HOME", str(base / "config"))
    env.setdefault("HELM_DATA_HOME", str(base / "data"))
    return env


def template(request: HelmRequest, *, root: Path, cache_dir: Path | None) -> tuple[str, bool]:
    """Rendered manifest text and whether it came from the cache. A helm failure is a PlatformError."""
    helm = find_tool("helm")
    key = cache_key(request, helm)
    cached = cache_dir / f"{key}.yaml" if cache_dir else None
    if cached is not None and cached.is_file():
        return cached.read_text(encoding="utf-8"), True
    missing = [str(path) for path in request.value_files if not path.is_file()]
    if missing:
        raise PlatformError(f"value file {missing[0]} not found", fix="create it or correct the valueFiles entry")
    command: list[str] = [
        str(helm),
        "template",
        request.release,
        str(request.chart),
        "--namespace",
        request.namespace,
        "--kube-version",
        request.kube_version,
    ]
    if request.include_crds:
        command.append("--include-crds")
    for api_version in request.api_versions:
        command += ["--api-versions", api_version]
    for value_file in request.value_files:
        command += ["--values", str(value_file)]
    result = _run(command, root)
    if result.returncode != 0:
        raise PlatformError(
            f"helm template {request.chart} failed: {_first_error_line(result.stderr)}",
            fix="fix the chart or its values (run the helm command by hand to see the full output)",
        )
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(result.stdout, encoding="utf-8")
        temporary.replace(cached)
    return result.stdout, False


def pull(repository: str, chart: str, version: str, destination: Path, *, root: Path) -> Path:
    """`helm pull` of one chart version from a chart repository into `destination`; the archive's path.

    helm resolves the version in the repository's index.yaml and downloads the archive it lists; it
    verifies nothing (the caller checks the digest). A failure (unknown version, network) is a PlatformError.
    """
    destination.mkdir(parents=True, exist_ok=True)
    command = [str(find_tool("helm")), "pull", chart, "--repo", repository, "--version", version]
    result = _run([*command, "--destination", str(destination)], root)
    if result.returncode != 0:
        raise PlatformError(
            f"helm pull {chart} {version} from {repository} failed: {_first_error_line(result.stderr)}",
            fix="check the version exists in the repository's index.yaml and the repository is reachable",
        )
    archives = sorted(destination.glob("*.tgz"))
    if len(archives) != 1:
        raise PlatformError(f"helm pull {chart} {version} left {len(archives)} archives in {destination}")
    return archives[0]


def _run(command: Sequence[str], root: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=_helm_env(root),
            cwd=root,
            timeout=HELM_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise PlatformError(
            f"helm timed out after {HELM_TIMEOUT_SECONDS}s: {' '.join(command[1:4])}",
            fix="check the chart for runaway templates (template) or the repository's reachability (pull)",
        ) from error


MAX_ERROR = 400


def _first_error_line(stderr: str) -> str:
    """helm's error on one line: the `Error:` line plus the lines detailing it (schema errors follow
    a line ending in ':'), shortened to MAX_ERROR characters."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if line.lower().startswith("error")), 0)
    if not lines:
        return "no output"
    text = lines[start]
    for line in lines[start + 1 :]:
        if not text.endswith(":") and not line.startswith("-"):
            break
        text = f"{text} {line}"
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"
