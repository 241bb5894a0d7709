"""Where an environment pins a component: the chart version and the image tag, and whether exactly.

- Upstream chart version: `components.<component>.chart.version` in `clusters/<env>/platform.yaml`.
- Image tag of an in-repo app: `image.tag` in `<values>/values-<env>.yaml` (else the base `values.yaml`),
  where `<values>` is the component's values folder from the catalogue `.argocd/apps/values.yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platformctl.environments import Environment, load_yaml
from platformctl.errors import PlatformError

CATALOGUE = Path(".argocd/apps/values.yaml")
CHART_VERSION_PATH = ("chart", "version")
IMAGE_TAG_PATH = ("image", "tag")

_EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_GIT_SHA = re.compile(r"^[0-9a-f]{7,40}$")


def exact_chart_version(version: str) -> bool:
    return bool(_EXACT_VERSION.match(version))


def immutable_image_tag(tag: str) -> bool:
    """A digest, a commit SHA or a release version: never a moving tag such as `latest` or `main`."""
    return bool(_DIGEST.match(tag) or _GIT_SHA.match(tag) or _EXACT_VERSION.match(tag))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = (
            _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
        )
    return merged


def component_settings(env: Environment, component: str) -> dict[str, Any]:
    """The component as the app-of-apps chart sees it in `env`: catalogue defaults, then platform.yaml."""
    catalogue = (load_yaml(env.root / CATALOGUE) or {}).get("components") or {}
    declared = (env.platform.get("components") or {}).get(component)
    if component not in catalogue and declared is None:
        known = ", ".join(sorted(set(catalogue) | set(env.platform.get("components") or {})))
        raise PlatformError(f"unknown component {component!r} in env {env.name} (known: {known})", fix="check the name")
    return _merge(catalogue.get(component) or {}, declared or {})


def known_components(env: Environment) -> set[str]:
    catalogue = (load_yaml(env.root / CATALOGUE) or {}).get("components") or {}
    return set(catalogue) | set(env.platform.get("components") or {})


def is_component(env: Environment, name: str) -> bool:
    return name in known_components(env)


@dataclass(frozen=True)
class Pin:
    """One pinned value: what it is, the file and key path holding it (or that should), its value."""

    what: str  # "chart version" | "image tag"
    file: Path
    path: tuple[str, ...]
    value: str | None


def chart_version_pin(env: Environment, component: str) -> Pin | None:
    """None when the component is not an upstream chart."""
    settings = component_settings(env, component)
    if "chart" not in settings:
        return None
    version = (settings["chart"] or {}).get("version")
    return Pin("chart version", env.platform_file, ("components", component, *CHART_VERSION_PATH), _text(version))


def image_tag_pin(env: Environment, component: str) -> Pin | None:
    """None when neither the base nor the env values file of the component sets an image tag."""
    settings = component_settings(env, component)
    folder = settings.get("values")
    if not folder:
        return None
    env_file = env.root / folder / f"values-{env.name}.yaml"
    for candidate in (env_file, env.root / folder / "values.yaml"):
        if candidate.is_file():
            tag = _lookup(load_yaml(candidate), IMAGE_TAG_PATH)
            if tag is not None:
                return Pin("image tag", env_file, IMAGE_TAG_PATH, _text(tag))
    return None


def _lookup(document: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else yaml.safe_dump(value).strip().removesuffix("...").strip()
