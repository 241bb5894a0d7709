"""Locating the pinned command-line tools. A missing tool is an error, never a skipped gate."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from platformctl.errors import ToolMissingError
from platformctl.paths import repo_root, tools_bin_dir

_INSTALL_HINTS = {
    "helm": "run `make tools` (installs helm v3.18.0 into .tools/bin)",
    "kubectl": "run `make tools` (installs kubectl v1.33.0 into .tools/bin)",
    "promtool": "run `make tools` (installs Debian package prometheus)",
    "prometheus": "run `make tools` (installs Debian package prometheus)",
    "dot": "run `make tools` (installs Debian package graphviz)",
    "checkov": "run `make venvs` (builds .venv/checkov from requirements/checkov.lock)",
}

# Tools that live in their own virtualenv rather than on PATH.
_VENV_TOOLS = {"checkov": "checkov"}


def find_tool(name: str) -> Path:
    """Absolute path of tool `name`: .tools/bin first, then its venv, then PATH."""
    pinned = tools_bin_dir() / name
    if pinned.is_file() and os.access(pinned, os.X_OK):
        return pinned
    if name in _VENV_TOOLS:
        venv_root = Path(os.environ.get("VENV_ROOT", repo_root() / ".venv"))
        in_venv = venv_root / _VENV_TOOLS[name] / "bin" / name
        if in_venv.is_file():
            return in_venv
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    raise ToolMissingError(f"required tool `{name}` not found", fix=_INSTALL_HINTS.get(name, f"install {name}"))
