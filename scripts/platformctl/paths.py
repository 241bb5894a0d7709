"""Where things are: the repository, the offline upstream mirror, the build folder, pinned tools."""

from __future__ import annotations

import os
from pathlib import Path

from platformctl.errors import PlatformError

MIRROR_ENV_VAR = "PLATFORM_UPSTREAM_MIRROR"
CHART_CACHE_ENV_VAR = "PLATFORM_CHART_CACHE"


def repo_root() -> Path:
    """The repository checkout: PLATFORM_REPO_ROOT if set (tests use copies), else this file's repo."""
    override = os.environ.get("PLATFORM_REPO_ROOT")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[2]


def build_dir(root: Path | None = None) -> Path:
    return (root or repo_root()) / "build"


def tools_bin_dir(root: Path | None = None) -> Path:
    return (root or repo_root()) / ".tools" / "bin"


def upstream_mirror(explicit: str | Path | None = None, root: Path | None = None) -> Path:
    """The offline mirror of CRDs and upstream chart defaults (see ../shared/upstream/README.md).

    Order: the explicit flag, then $PLATFORM_UPSTREAM_MIRROR, then `../shared/upstream` beside the
    checkout. A mirror that does not exist is an error, never an empty mirror.
    """
    candidate = explicit or os.environ.get(MIRROR_ENV_VAR) or (root or repo_root()).parent / "shared" / "upstream"
    path = Path(candidate).resolve()
    if not (path / "charts").is_dir() or not (path / "crds").is_dir():
        raise PlatformError(
            f"upstream mirror {path} has no charts/ and crds/ folders",
            fix=f"pass --mirror DIR or set {MIRROR_ENV_VAR} to a copy of shared/upstream",
        )
    return path


def chart_cache(explicit: str | Path | None = None, root: Path | None = None) -> Path:
    """Folder of upstream chart archives (`<name>-<version>.tgz`); optional, may not exist."""
    candidate = explicit or os.environ.get(CHART_CACHE_ENV_VAR) or (root or repo_root()) / ".cache" / "charts"
    return Path(candidate).resolve()


def relative_path(path: Path | None, root: Path) -> str:
    """`path` as written in findings: relative to `root` when inside it, else as given ("" for none)."""
    if path is None:
        return ""
    for candidate, base in ((path, root), (path.resolve(), root.resolve())):
        try:
            return str(candidate.relative_to(base))
        except ValueError:
            continue
    return str(path)
