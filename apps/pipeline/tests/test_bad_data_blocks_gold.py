"""Seeded bad data must fail the checks on silver, and a failed check must keep gold from being built."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from reference_pipeline.cli import check_evaluations

pytestmark = pytest.mark.slow


def test_unknown_policy_status_fails_silver_and_blocks_gold(workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    # Freshness: with a 0-hour budget, rows loaded seconds ago are already stale.
    monkeypatch.setenv("PIPELINE_FRESHNESS_HOURS", "0")
    workspace.generate(range(1, 2))
    # A producer starts sending a status nobody agreed on: dbt accepted_values and the GE suite must object.
    good = pq.read_table(workspace.settings.landing_dir / "policies" / "drop_0001.parquet").to_pylist()
    bad = [{**row, "policy_id": f"POL-9{index:06d}", "status": "PENDING_REVIEW"} for index, row in enumerate(good[:5])]
    pq.write_table(pa.Table.from_pylist(bad), workspace.settings.landing_dir / "policies" / "drop_0002.parquet")

    result = workspace.run()

    assert not result.success
    failed = {
        (evaluation.asset_key.to_user_string(), evaluation.check_name)
        for evaluation in check_evaluations(result)
        if not evaluation.passed
    }
    assert any(key == "silver/policies" and "accepted_values" in name for key, name in failed), failed
    assert any(key == "silver/policies" and "fresh_within_hours" in name for key, name in failed), failed
    materialised = {e.asset_key.to_user_string() for e in result.all_events if e.is_step_materialization}
    assert "silver/policies" in materialised
    # dbt skipped every gold mart built from silver policies (ref_postal_codes does not read them).
    downstream = {f"gold/{table}" for table in ("customers", "policies", "claims", "premiums_monthly")}
    assert not materialised & downstream, "gold was built on bad silver data"
    assert "serving/gold" not in materialised
