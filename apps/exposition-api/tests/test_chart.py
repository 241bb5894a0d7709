"""In the cluster the API reads Snowflake in every env: no published gold version, so no serving format and no
disk for it (apps/exposition-api/README.md); its pages are warehouse queries, /tmp stays a small memory folder."""

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
@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_snowflake_envs_have_no_serving_format_folder(env: str, tmp_path: Path) -> None:
    spec = _deployment(env, tmp_path)["spec"]["template"]["spec"]
    app = next(c for c in spec["containers"] if c["name"] == "app")
    env_vars = {e["name"]: e.get("value") for e in app["env"]}
    assert env_vars["WAREHOUSE_URL"].startswith("snowflake://")
    assert "SERVING_DIR" not in env_vars
    assert {v["name"] for v in spec["volumes"]} == {"tmp", "snowflake-key"}
    assert next(v for v in spec["volumes"] if v["name"] == "tmp")["emptyDir"]["medium"] == "Memory"
