"""Creating a new app: its files under apps/<name>/ and its registration in every env.

An API is a component in every env's platform.yaml (an Argo CD Application on the shared chart); a
pipeline is a Dagster user deployment (code location) in platform/dagster/values*.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from platformctl.environments import list_environments
from platformctl.errors import PlatformError
from platformctl.scaffold.dagster_deployments import add_deployment, values_files
from platformctl.scaffold.derive import derived_files
from platformctl.scaffold.naming import AppNames
from platformctl.scaffold.register import add_component, component_entry, ensure_new, reference_app
from platformctl.scaffold.templates import kinds, read_pins, render_kind

CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")


@dataclass(frozen=True)
class Plan:
    app_dir: Path
    files: dict[Path, str]  # absolute path -> content (new files)
    registrations: dict[Path, str]  # platform.yaml -> its new text


def plan_app(root: Path, name: str, kind: str, owner: str, classification: str) -> Plan:
    if kind not in kinds():
        raise PlatformError(f"unknown kind {kind!r}", fix=f"use one of {', '.join(kinds())}")
    if classification not in CLASSIFICATIONS:
        raise PlatformError(f"unknown data classification {classification!r}", fix=f"use {', '.join(CLASSIFICATIONS)}")
    names = AppNames.parse(name)
    app_dir = root / "apps" / names.name
    if app_dir.exists():
        raise PlatformError(f"apps/{names.name} already exists", fix="choose another name or remove the folder")
    environments = list_environments(root)
    for env in environments:
        ensure_new(env, names.name)
    values = {
        "name": names.name,
        "package": names.package,
        "title": names.title,
        "owner": owner,
        "classification": classification,
        "classification_title": classification.capitalize(),
    }
    rendered = render_kind(kind, values, read_pins(root, kind))
    if kind == "api":
        rendered.update(derived_files(root / reference_app(root), names, owner, classification))
    files = {app_dir / path: text for path, text in rendered.items()}
    if kind == "pipeline":
        registrations = {
            path: add_deployment(path.read_text(encoding="utf-8"), names, owner, classification, str(path))
            for path in values_files(root, environments)
        }
        return Plan(app_dir, files, registrations)
    entry = component_entry(root, names.name, owner, classification)
    registrations = {
        env.platform_file: add_component(
            env.platform_file.read_text(encoding="utf-8"), names.name, entry, str(env.platform_file)
        )
        for env in environments
    }
    return Plan(app_dir, files, registrations)


def write(plan: Plan) -> None:
    for path, text in {**plan.files, **plan.registrations}.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
