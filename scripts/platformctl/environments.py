"""The environments of this repository and their configuration files.

An environment is a folder `clusters/<env>/` holding `cluster.yaml` (the AKS facts, validated by
`clusters/cluster.schema.json`) and `platform.yaml` (the values of the app-of-apps chart).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from platformctl.errors import PlatformError
from platformctl.paths import repo_root

CLUSTERS_DIR = "clusters"
CLUSTER_SCHEMA = "clusters/cluster.schema.json"


def load_yaml(path: Path) -> Any:
    """One YAML document; a missing or malformed file is a PlatformError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise PlatformError(f"{path}: file not found", fix="create it or correct the reference") from error
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or str(error)
        raise PlatformError(f"{where}: malformed YAML: {problem}", fix="correct the YAML syntax") from error


def check_cluster_document(
    document: Any, schema: dict[str, Any], cluster_file: Path, *, fix: str, needed_by: str = ""
) -> None:
    """Raise one PlatformError naming the file, the JSON path and the best-matching schema error."""
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(document))
    if error is not None:
        location = "/".join(str(part) for part in error.absolute_path) or "(document)"
        suffix = f" (needed by {needed_by})" if needed_by else ""
        raise PlatformError(f"{cluster_file}: {location}: {error.message}{suffix}", fix=fix)


@dataclass(frozen=True)
class Environment:
    name: str
    root: Path

    @property
    def folder(self) -> Path:
        return self.root / CLUSTERS_DIR / self.name

    @property
    def cluster_file(self) -> Path:
        return self.folder / "cluster.yaml"

    @property
    def platform_file(self) -> Path:
        return self.folder / "platform.yaml"

    @cached_property
    def cluster(self) -> dict[str, Any]:
        """cluster.yaml, validated against its JSON Schema."""
        document = load_yaml(self.cluster_file)
        check_cluster_document(document, self.cluster_schema, self.cluster_file, fix=f"make it match {CLUSTER_SCHEMA}")
        return document

    @property
    def cluster_schema(self) -> dict[str, Any]:
        return json.loads((self.root / CLUSTER_SCHEMA).read_text(encoding="utf-8"))

    @cached_property
    def platform(self) -> dict[str, Any]:
        document = load_yaml(self.platform_file)
        if not isinstance(document, dict):
            raise PlatformError(f"{self.platform_file}: expected a mapping", fix="see clusters/dev/platform.yaml")
        return document

    @property
    def kubernetes_version(self) -> str:
        """Minor version the manifests are validated against, e.g. '1.33'."""
        version = str(self.cluster["spec"]["kubernetesVersion"])
        return ".".join(version.split(".")[:2])


def list_environments(root: Path | None = None) -> list[Environment]:
    base = root or repo_root()
    folders = sorted(p for p in (base / CLUSTERS_DIR).iterdir() if (p / "cluster.yaml").is_file())
    order = {"dev": 0, "staging": 1, "prod": 2}
    return sorted((Environment(p.name, base) for p in folders), key=lambda e: (order.get(e.name, 9), e.name))


def get_environment(name: str, root: Path | None = None) -> Environment:
    environments = {env.name: env for env in list_environments(root)}
    if name not in environments:
        known = ", ".join(environments) or "none"
        raise PlatformError(f"unknown environment {name!r} (known: {known})", fix=f"create clusters/{name}/")
    return environments[name]
