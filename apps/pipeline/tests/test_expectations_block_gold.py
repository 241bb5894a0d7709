"""A Great Expectations suite failure on silver (data every dbt test accepts) must keep gold from being built."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from reference_pipeline.cli import check_evaluations

pytestmark = pytest.mark.slow


def test_implausible_premium_fails_the_suite_and_blocks_gold(workspace) -> None:
    workspace.generate(range(1, 2))
    # Valid for dbt (typed, known product and status) but out of the suite's range: 250,000 EUR a year.
    good = pq.read_table(workspace.settings.landing_dir / "policies" / "drop_0001.parquet").to_pylist()
    bad = [{**row, "policy_id": f"POL-8{index:06d}", "annual_premium": 250_000.0} for index, row in enumerate(good[:3])]
    pq.write_table(pa.Table.from_pylist(bad), workspace.settings.landing_dir / "policies" / "drop_0002.parquet")

    result = workspace.run()

    assert not result.success
    evaluations = {(e.asset_key.to_user_string(), e.check_name): e for e in check_evaluations(result)}
    assert not evaluations[("silver/policies", "great_expectations_silver_policies")].passed
    dbt_tests = [e for (key, name), e in evaluations.items() if key == "silver/policies" and "great" not in name]
    assert dbt_tests and all(e.passed for e in dbt_tests)  # only the suite objected
    with duckdb.connect(str(workspace.settings.warehouse_path), read_only=True) as con:
        failed = con.execute(
            "select suite, expectation, column_name, unexpected_count from audit.expectations_silver where not success"
        ).fetchall()
    assert failed == [("silver_policies", "expect_column_values_to_be_between", "annual_premium", 3)]
    materialised = {e.asset_key.to_user_string() for e in result.all_events if e.is_step_materialization}
    assert {"silver/policies", "audit/expectations_silver"} <= materialised
    # dbt skipped every gold mart built from silver policies (ref_postal_codes does not read them), and the
    # failed step kept the serving file and DataHub from being refreshed.
    assert not materialised & {f"gold/{table}" for table in ("customers", "policies", "claims", "premiums_monthly")}
    assert not {key for key in materialised if key.startswith(("serving/", "datahub/"))}
