"""Registering a new app as a component in every env's platform.yaml (appended; the rest is kept as is).

The entry copies the project's convention from the data apps already in the catalogue
(`.argocd/apps/values.yaml`: components with `path: apps/chart`): project, namespace, wave, dependsOn.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from platformctl.environments import Environment, load_yaml
from platformctl.errors import PlatformError
from platformctl.promote.pins import CATALOGUE, component_settings
from platformctl.promote.yamledit import render_scalar

APP_CHART = "apps/chart"
_COPIED = ("project", "namespace", "wave", "path", "dependsOn")


def reference_component(root: Path) -> dict[str, Any]:
    """The settings every data app shares, taken from the first catalogue component on the shared chart."""
    catalogue = (load_yaml(root / CATALOGUE) or {}).get("components") or {}
    for settings in catalogue.values():
        if isinstance(settings, dict) and settings.get("path") == APP_CHART:
            return {key: settings[key] for key in _COPIED if key in settings}
    raise PlatformError(
        f"{CATALOGUE}: no component uses the shared chart {APP_CHART}", fix="register one data app by hand first"
    )


def reference_app(root: Path) -> str:
    """Values folder (apps/<app>) of the first data app on the shared chart in the catalogue."""
    catalogue = (load_yaml(root / CATALOGUE) or {}).get("components") or {}
    for settings in catalogue.values():
        if isinstance(settings, dict) and settings.get("path") == APP_CHART and settings.get("values"):
            return str(settings["values"])
    raise PlatformError(f"{CATALOGUE}: no data app on {APP_CHART}", fix="register one data app by hand first")


def component_entry(root: Path, name: str, owner: str, classification: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"enabled": True, **reference_component(root)}
    entry.update(values=f"apps/{name}", owner=owner, dataClassification=classification)
    return entry


def ensure_new(env: Environment, name: str) -> None:
    try:
        component_settings(env, name)
    except PlatformError:
        return  # unknown component: what we want
    raise PlatformError(f"component {name!r} already exists in env {env.name}", fix="choose another name")


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return render_scalar(str(value)) if isinstance(value, str) else str(value)


def add_component(text: str, name: str, entry: dict[str, Any], source: str) -> str:
    """`text` (a platform.yaml) with `components.<name>` appended (block style) after the last component."""
    root = yaml.compose(text)
    components = None
    if isinstance(root, yaml.MappingNode):
        components = next((value for key, value in root.value if key.value == "components"), None)
    if not isinstance(components, yaml.MappingNode) or components.flow_style or not components.value:
        raise PlatformError(f"{source}: no block mapping `components:`", fix="see clusters/dev/platform.yaml")
    indent = components.value[0][0].start_mark.column
    last_value = components.value[-1][1]
    line_end = text.find("\n", last_value.end_mark.index - 1)
    cut = len(text) if line_end == -1 else line_end + 1
    before = text[:cut] if text[:cut].endswith("\n") else text[:cut] + "\n"
    block = [" " * indent + f"{name}:"] + [
        " " * (indent + 2) + f"{key}: {_flow(value)}" for key, value in entry.items()
    ]
    edited = before + "\n".join(block) + "\n" + text[cut:]
    expected = copy.deepcopy(yaml.safe_load(text))
    expected["components"][name] = entry
    if yaml.safe_load(edited) != expected:
        raise PlatformError(f"{source}: could not append component {name}", fix=f"add {name} under components by hand")
    return edited
