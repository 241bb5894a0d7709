"""Repository-level test configuration shared by every gate's tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from platformctl.paths import MIRROR_ENV_VAR, upstream_mirror

REPO_ROOT = Path(__file__).resolve().parents[1]

# Tests copy the repository into temporary folders, where the default `../shared/upstream` does not
# exist: pin the mirror of this checkout for the whole session unless the caller chose one.
_default_mirror = REPO_ROOT.parent / "shared" / "upstream"
if _default_mirror.is_dir():
    os.environ.setdefault(MIRROR_ENV_VAR, str(_default_mirror))


# `--kubeconfig` (cluster tests) is the option of the pytest-helm-charts plugin.


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The offline upstream mirror every test uses ($PLATFORM_UPSTREAM_MIRROR, else beside this checkout)."""
    return upstream_mirror(root=REPO_ROOT)


@pytest.fixture
def unreachable_kubeconfig(tmp_path: Path) -> Path:
    """A kubeconfig whose only cluster is a closed port on 127.0.0.1 (connection refused at once)."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "nowhere",
            "clusters": [{"name": "nowhere", "cluster": {"server": "https://127.0.0.1:1"}}],
            "users": [{"name": "nobody", "user": {"token": "unused"}}],
            "contexts": [{"name": "nowhere", "context": {"cluster": "nowhere", "user": "nobody"}}],
        })
    )  # fmt: skip
    return kubeconfig
