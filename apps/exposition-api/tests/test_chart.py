"""The chart gives the serving format a disk-backed folder where gold is a DuckDB file (dev): /tmp is a small
memory-backed emptyDir under a read-only root filesystem, too small for the format."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
HELM = REPO / ".tools" / "bin" / "helm"


def _deployment(env: str, tmp_path: Path) -> dict:
    helm = str(HELM) if HELM.exists() else shutil.which("helm")
    if helm is None:
        pytest.skip("helm is not installed (make tools)")
    homes = {f"HELM_{kind}_HOME": str(tmp_path / kind.lower()) for kind in ("CACHE", "CONFIG", "DATA")}
    app = REPO / "apps" / "exposition-api"
    rendered = subprocess.run(
        [helm, "template", "exposition-api", str(REPO / "apps" / "chart"), "-f", str(app / "values.yaml"),
         "-f", str(app / f"values-{env}.yaml")],
        env={**os.environ, **homes}, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return next(d for d in yaml.safe_load_all(rendered) if d and d["kind"] == "Deployment")


@pytest.mark.slow
@pytest.mark.parametrize(("env", "enabled"), [("dev", True), ("staging", False), ("prod", False)])
def test_serving_dir_is_a_disk_volume_where_gold_is_a_duckdb_file(env: str, enabled: bool, tmp_path: Path) -> None:
    spec = _deployment(env, tmp_path)["spec"]["template"]["spec"]
    app = next(c for c in spec["containers"] if c["name"] == "app")
    env_vars = {e["name"]: e.get("value") for e in app["env"]}
    mounts = {m["mountPath"]: m["name"] for m in app["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    if not enabled:  # Snowflake: no published version, no format (apps/exposition-api/README.md)
        assert "SERVING_DIR" not in env_vars and "serving" not in volumes
        return
    assert env_vars["SERVING_DIR"] == "/tmp/serving" and mounts["/tmp/serving"] == "serving"
    assert volumes["serving"]["emptyDir"] == {"sizeLimit": "1Gi"}  # on the node's disk, not memory
    assert volumes["tmp"]["emptyDir"]["medium"] == "Memory"
