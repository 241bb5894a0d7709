"""dbt semantics the orchestration relies on: source freshness, no deprecated properties.

- `dbt source freshness` judges the raw sources (the `freshness:` block of models/sources.yml): a source
  whose newest row is older than PIPELINE_FRESHNESS_HOURS errors, a fresh one passes, and the DVC reference
  (no freshness: it changes only with a new DVC version) is not judged.
- `dbt parse` reports no deprecation (properties such as `meta` and `freshness` live under `config:`).
- The dbt unit tests (models/_unit_tests.yml) run in the pipeline's `dbt build` and catch a broken model.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from reference_pipeline.settings import DBT_PROJECT_DIR


def dbt(
    tmp_path: Path, *args: str, project: Path = DBT_PROJECT_DIR, warehouse: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PIPELINE_DUCKDB_PATH": str(warehouse or tmp_path / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PIPELINE_FRESHNESS_HOURS": "24",
    }
    where = ["--project-dir", str(project), "--profiles-dir", str(project), "--target-path", str(tmp_path / "t")]
    command = [str(Path(sys.executable).with_name("dbt")), *args, *where]
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


def unit_results(tmp_path: Path) -> dict[str, str]:
    results = json.loads((tmp_path / "t" / "run_results.json").read_text(encoding="utf-8"))["results"]
    return {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results if r["unique_id"].startswith("unit_test")}


@pytest.mark.slow
def test_unit_tests_run_in_the_build_and_catch_a_broken_model(workspace, tmp_path: Path) -> None:
    workspace.generate(range(1, 2))
    assert workspace.run().success  # the build runs the unit tests before their models
    warehouse = workspace.settings.warehouse_path
    names = {"premiums_monthly_rates_per_due_month_and_product", "postal_codes_are_normalised_and_deduplicated"}
    passed = dbt(tmp_path / "ok", "test", "--select", "test_type:unit", warehouse=warehouse)
    assert passed.returncode == 0, passed.stdout[-3000:]
    assert unit_results(tmp_path / "ok") == dict.fromkeys(names, "pass")

    broken = tmp_path / "project"  # premiums without a due month are no longer left out
    shutil.copytree(DBT_PROJECT_DIR, broken, ignore=shutil.ignore_patterns("target", "logs"))
    model = broken / "models" / "gold" / "gold_premiums_monthly.sql"
    model.write_text(model.read_text(encoding="utf-8").replace("where pr.due_month is not null", ""), encoding="utf-8")
    failed = dbt(tmp_path / "bad", "test", "--select", "test_type:unit", project=broken, warehouse=warehouse)
    assert failed.returncode == 1
    assert unit_results(tmp_path / "bad")["premiums_monthly_rates_per_due_month_and_product"] == "fail"
