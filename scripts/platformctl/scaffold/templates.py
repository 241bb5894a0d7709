"""Turning the templates of one app kind into files: `{{ key }}` placeholders, `__package__` folders.

Placeholders are the app's names plus `{{ pin:<distribution> }}`, the exact `name==version` pinned in
the lock file of the venv the kind runs in (the project's rule for the apps' runtime dependencies):
requirements/tooling.lock for an API, requirements/pipelines.lock for a pipeline. An unknown
placeholder is an error: a template never leaves a literal `{{ ... }}` behind.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from platformctl.errors import PlatformError

TEMPLATES = Path(__file__).parent / "templates"
SUFFIX = ".tmpl"
LOCK_FILE = Path("requirements/tooling.lock")
LOCK_FILES = {"pipeline": Path("requirements/pipelines.lock")}  # other kinds: LOCK_FILE
_PLACEHOLDER = re.compile(r"\{\{ ([a-z_]+(?::[A-Za-z0-9_.-]+(?:\[[a-z0-9,-]+\])?)?) \}\}")


def kinds() -> list[str]:
    return sorted(path.name for path in TEMPLATES.iterdir() if path.is_dir())


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_file(kind: str) -> Path:
    return LOCK_FILES.get(kind, LOCK_FILE)


def read_pins(root: Path, kind: str = "api") -> dict[str, str]:
    """Normalised distribution name -> exact version, from the lock file of the kind's venv."""
    pins = {}
    for line in (root / lock_file(kind)).read_text(encoding="utf-8").splitlines():
        requirement = line.split("#")[0].strip()
        if "==" in requirement:
            name, version = requirement.split("==", 1)
            pins[_normalise(name.split("[")[0])] = version.strip()
    return pins


def fill(text: str, values: Mapping[str, str], pins: Mapping[str, str], template: str, lock: Path = LOCK_FILE) -> str:
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key.startswith("pin:"):
            distribution, _, extras = key[4:].partition("[")
            distribution = _normalise(distribution)
            if distribution not in pins:
                raise PlatformError(f"{template}: {distribution} is not in {lock}", fix=f"add it to {lock.stem}.in")
            return f"{distribution}{'[' + extras if extras else ''}=={pins[distribution]}"
        if key not in values:
            raise PlatformError(f"{template}: unknown placeholder {key!r}", fix=f"use one of {', '.join(values)}")
        return values[key]

    return _PLACEHOLDER.sub(replace, text)


def render_kind(kind: str, values: Mapping[str, str], pins: Mapping[str, str]) -> dict[Path, str]:
    """Relative path -> content of every file the kind's templates produce."""
    folder = TEMPLATES / kind
    files = {}
    for template in sorted(folder.rglob(f"*{SUFFIX}")):
        relative = template.relative_to(folder).as_posix().removesuffix(SUFFIX)
        relative = relative.replace("__package__", values["package"])
        files[Path(relative)] = fill(template.read_text(encoding="utf-8"), values, pins, str(template), lock_file(kind))
    return files
