"""dbt semantics the orchestration relies on: source freshness, no deprecated properties.

- `dbt source freshness` judges the raw sources (the `freshness:` block of models/sources.yml): a source
  whose newest row is older than PIPELINE_FRESHNESS_HOURS errors, a fresh one passes, and the DVC reference
  (no freshness: it changes only with a new DVC version) is not judged.
- `dbt parse` reports no deprecation (properties such as `meta` and `freshness` live under `config:`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
from reference_pipeline.settings import DBT_PROJECT_DIR

PROJECT = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]


def dbt(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PIPELINE_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PIPELINE_FRESHNESS_HOURS": "24",
    }
    command = [str(Path(sys.executable).with_name("dbt")), *args, *PROJECT, "--target-path", str(tmp_path / "t")]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_source_freshness_judges_the_raw_sources(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create schema raw")
    ages = {"customers": 72, "policies": 0, "claims": 0, "premiums": 8, "postal_codes": 1000}  # hours
    for table, hours in ages.items():
        con.execute(
            f"create table raw.{table} as select cast(now() - interval ({hours}) hour as varchar) as _loaded_at"
        )
    con.close()
    result = dbt(tmp_path, "source", "freshness")
    assert result.returncode == 1, (result.stdout + result.stderr)[-3000:]  # an error-level source fails
    sources = json.loads((tmp_path / "t" / "sources.json").read_text(encoding="utf-8"))["results"]
    status = {item["unique_id"].rsplit(".", 1)[-1]: item["status"] for item in sources}
    assert status == {"customers": "error", "policies": "pass", "claims": "pass", "premiums": "warn"}


def test_dbt_parse_reports_no_deprecation(tmp_path: Path) -> None:
    result = dbt(tmp_path, "parse", "--no-partial-parse", "--show-all-deprecations", "--log-format", "json")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    events = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    deprecations = [e["info"]["msg"] for e in events if "Deprecat" in e["info"]["name"]]
    assert deprecations == []
