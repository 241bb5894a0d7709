"""A failed Great Expectations suite (data every dbt test accepts) leaves the published gold untouched.

The suites run after the dbt build as blocking Dagster asset checks: gold may be built, but the serving file
(the published gold locally; `publish/gold` swaps it in on Snowflake) and DataHub are not refreshed.
"""

from __future__ import annotations

import hashlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from reference_pipeline.checks.assets_checks import GE_CHECK
from reference_pipeline.checks.suites import suites
from reference_pipeline.cli import check_evaluations

pytestmark = pytest.mark.slow


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_implausible_premium_fails_the_suite_and_leaves_published_gold_untouched(workspace) -> None:
    workspace.generate(range(1, 2))
    first = workspace.run()
    assert first.success
    ge = [e for e in check_evaluations(first) if e.check_name == GE_CHECK]
    assert len(ge) == len(suites()) and all(e.passed for e in ge)
    serving = workspace.settings.serving_path
    published = _digest(serving)
    index = workspace.settings.data_docs_dir / "index.html"
    page = index.read_text(encoding="utf-8")
    assert all(suite.name in page for suite in suites()), "Data Docs link every suite"

    # Valid for dbt (typed, known product and status) but out of the suite's range: 250,000 EUR a year.
    good = pq.read_table(workspace.settings.landing_dir / "policies" / "drop_0001.parquet").to_pylist()
    bad = [{**row, "policy_id": f"POL-8{index:06d}", "annual_premium": 250_000.0} for index, row in enumerate(good[:3])]
    pq.write_table(pa.Table.from_pylist(bad), workspace.settings.landing_dir / "policies" / "drop_0002.parquet")

    result = workspace.run()

    assert not result.success
    evaluations = {(e.asset_key.to_user_string(), e.check_name): e for e in check_evaluations(result)}
    failed = evaluations[("silver/policies", GE_CHECK)]
    assert not failed.passed
    dbt_tests = [e for (key, name), e in evaluations.items() if key == "silver/policies" and name != GE_CHECK]
    assert dbt_tests and all(e.passed for e in dbt_tests)  # only the suite objected
    assert [key for (key, name), e in evaluations.items() if name == GE_CHECK and not e.passed] == ["silver/policies"]
    # The failed check carries its samples, names the table, expectation, column and fix, and links Data Docs.
    (expectation,) = failed.metadata["failed_expectations"].value
    assert expectation["expectation"] == "expect_column_values_to_be_between"
    assert expectation["column"] == "annual_premium"
    assert expectation["unexpected_count"] == 3 and expectation["samples"] == ["250000.00"] * 3  # decimals as text
    for part in ("silver.policies", "expect_column_values_to_be_between", "annual_premium", "fix:"):
        assert part in (failed.description or "")
    assert failed.metadata["execution_engine"].value == "SqlAlchemyExecutionEngine"
    assert failed.metadata["data_docs"].value == str(index)
    materialised = {e.asset_key.to_user_string() for e in result.all_events if e.is_step_materialization}
    assert "gold/policies" in materialised  # gold may be built ...
    assert not {key for key in materialised if key.startswith(("serving/", "datahub/"))}  # ... never published
    assert _digest(serving) == published, "the published gold changed after a failed suite"
