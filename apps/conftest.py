"""Root pytest (tooling venv) skips pipeline apps: they run in .venv/pipelines through `make test-pipeline`.

An app is a pipeline when its pyproject.toml says `[tool.platform] venv = "pipelines"`
(scripts/bootstrap/app_venv.py, which also keeps it out of the tooling venv).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

APPS = Path(__file__).parent


def _is_pipeline(app: Path) -> bool:
    pyproject = app / "pyproject.toml"
    if not pyproject.is_file():
        return False
    with pyproject.open("rb") as handle:
        return tomllib.load(handle).get("tool", {}).get("platform", {}).get("venv") == "pipelines"


collect_ignore = sorted(app.name for app in APPS.iterdir() if app.is_dir() and _is_pipeline(app))
