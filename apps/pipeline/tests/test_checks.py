"""Great Expectations suites and the row-count anomaly rule, on small frames (no pipeline run)."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pandas as pd
import pytest
from reference_pipeline.checks.assets_checks import judge_row_count
from reference_pipeline.checks.expectations import validate
from reference_pipeline.checks.in_dbt import ValidationWorker
from reference_pipeline.checks.suites import suites


def _suite(schema: str, table: str):
    return next(s for s in suites() if s.schema == schema and s.table == table)


def test_clean_silver_customers_pass() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["CUS-0000001", "CUS-0000002"],
            "email": ["a.b@example.com", None],
            "phone": ["+33612345678", "+33712345678"],
            "postal_code": ["75001", "69003"],
            "birth_date": pd.to_datetime(["1980-03-01", "1975-12-31"]),
        }
    )
    frame = pd.concat([frame] * 10, ignore_index=True).assign(customer_id=[f"CUS-{i:07d}" for i in range(20)])
    frame.loc[1:, "email"] = "a.b@example.com"
    outcome = validate(_suite("silver", "customers"), frame)
    assert outcome.success, outcome.failed


def test_duplicate_ids_and_bad_phone_fail_silver_customers() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["CUS-0000001", "CUS-0000001"],
            "email": ["a.b@example.com", "c.d@example.com"],
            "phone": ["0612345678", "+33612345678"],
            "postal_code": ["75001", "7501"],
            "birth_date": pd.to_datetime(["1980-03-01", "1975-12-31"]),
        }
    )
    outcome = validate(_suite("silver", "customers"), frame)
    assert not outcome.success
    failed = {(o.expectation, o.column) for o in outcome.failed}
    assert ("expect_column_values_to_be_unique", "customer_id") in failed
    assert ("expect_column_values_to_match_regex", "phone") in failed
    assert ("expect_column_values_to_match_regex", "postal_code") in failed


def test_unknown_product_fails_gold_policies() -> None:
    frame = pd.DataFrame({"policy_id": ["POL-1", "POL-2"], "customer_id": ["C1", None], "product": ["AUTO", "BOAT"]})
    outcome = validate(_suite("gold", "policies"), frame)
    assert {(o.expectation, o.column) for o in outcome.failed} == {
        ("expect_column_values_to_not_be_null", "customer_id"),
        ("expect_column_values_to_be_in_set", "product"),
    }


def test_the_worker_process_gives_the_in_process_outcome() -> None:
    frame = pd.DataFrame({"policy_id": ["POL-1", "POL-2"], "customer_id": ["C1", None], "product": ["AUTO", "BOAT"]})
    worker = ValidationWorker()
    try:
        assert worker.suite_columns()[("gold", "policies")] == ["policy_id", "customer_id", "product"]
        outcome = worker.validate("gold", "policies", frame)
    finally:
        worker.close()
    assert not outcome.success
    assert outcome == validate(_suite("gold", "policies"), frame)


def test_a_worker_reply_unpickles_without_importing_great_expectations() -> None:
    # The dbt process unpickles the worker's replies: importing GE there would cost it ~4 s of CPU.
    outcome = validate(_suite("gold", "policies"), pd.DataFrame({"policy_id": ["P1"], "customer_id": ["C1"]}))
    code = "import pickle, sys; pickle.loads(sys.stdin.buffer.read()); print('great_expectations' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(outcome), capture_output=True, check=True)
    assert done.stdout.strip() == b"False"


@pytest.mark.parametrize(
    ("current", "previous", "passed"),
    [(0, None, False), (10, None, True), (100, 100, True), (120, 100, True), (80, 100, False), (2000, 100, False)],
)
def test_row_count_anomaly_rule(current: int, previous: int | None, passed: bool) -> None:
    assert judge_row_count(current, previous)[0] is passed
