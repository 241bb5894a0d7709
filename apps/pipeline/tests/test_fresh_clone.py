"""A fresh clone (no dbt manifest yet) loads in Dagster's CLI without `reference-pipeline prepare` first.

`make dagster` (`reference-pipeline dev`, then `dagster dev`) and `dagster definitions validate` import the
code location, which reads the dbt manifest; the module parses the project when the manifest is missing
(and on every load under `dagster dev`, through dagster-dbt's `prepare_if_dev`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from reference_pipeline import cli

APP = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_definitions_validate_on_a_fresh_clone(tmp_path: Path) -> None:
    project = tmp_path / "dbt"
    shutil.copytree(APP / "dbt", project, ignore=shutil.ignore_patterns("target", "logs"))
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("PIPELINE_", "DBT_", "DAGSTER_"))},
        "PATH": "/usr/bin:/bin",  # no dbt on PATH, as when the venv is not activated
        "PIPELINE_DBT_PROJECT_DIR": str(project),
        "PIPELINE_WORK_DIR": str(tmp_path / "work"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    (tmp_path / "dagster_home").mkdir()
    dagster = str(Path(sys.executable).with_name("dagster"))
    result = subprocess.run(
        [dagster, "definitions", "validate", "-m", "reference_pipeline.definitions"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert (project / "target" / "manifest.json").is_file()


def test_dev_serves_this_code_location_on_loopback() -> None:
    command = cli.dev_command(3123)
    assert Path(command[0]) == Path(sys.executable).with_name("dagster") and command[1] == "dev"
    assert command[command.index("-m") + 1] == "reference_pipeline.definitions"
    assert command[command.index("-h") + 1] == "127.0.0.1" and command[command.index("-p") + 1] == "3123"
