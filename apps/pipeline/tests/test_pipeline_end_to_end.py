"""Materialise every asset into a temporary DuckDB, then check gold, incrementality and the lineage file."""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest
from reference_pipeline import lineage
from reference_pipeline.cli import check_evaluations
from reference_pipeline.raw_drops import ENTITY_FORMATS

pytestmark = pytest.mark.slow

GOLD = ("customers", "policies", "claims", "premiums_monthly", "ref_postal_codes")


def _raw_frame(landing, entity: str) -> pd.DataFrame:
    frames = []
    for path in sorted((landing / entity).iterdir()):
        frame = pd.read_csv(path, dtype=str) if path.suffix == ".csv" else pd.read_parquet(path).astype(str)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _gold_count(workspace, table: str) -> int:
    with duckdb.connect(str(workspace.settings.warehouse_path), read_only=True) as con:
        return con.execute(f"select count(*) from gold.{table}").fetchone()[0]


@pytest.fixture(scope="module")
def first_run(workspace):
    workspace.generate(range(1, 3))
    result = workspace.run()
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return result


def test_every_asset_is_materialised_and_every_check_passes(workspace, first_run) -> None:
    keys = {e.asset_key.to_user_string() for e in first_run.all_events if e.is_step_materialization}
    for table in GOLD:
        assert f"gold/{table}" in keys
    assert {"raw/customers", "raw/postal_codes", "silver/customers", "serving/gold", "datahub/metadata"} <= keys
    evaluations = check_evaluations(first_run)
    assert len(evaluations) > 30  # dbt tests + GE suites + row-count checks
    assert all(evaluation.passed for evaluation in evaluations)


def test_gold_row_counts_match_the_raw_drops(workspace, first_run) -> None:
    landing = workspace.settings.landing_dir
    customers = _raw_frame(landing, "customers")
    policies = _raw_frame(landing, "policies")
    expected_customers = customers["customer_id"].str.strip().str.upper().nunique()
    expected_policies = policies["policy_id"].str.strip().str.upper().nunique()
    assert _gold_count(workspace, "customers") == expected_customers
    assert _gold_count(workspace, "policies") == expected_policies  # every contract's customer is known
    claims = _raw_frame(landing, "claims")
    assert 0 < _gold_count(workspace, "claims") <= claims["claim_id"].nunique()


def test_gold_invariants(workspace, first_run) -> None:
    with duckdb.connect(str(workspace.settings.warehouse_path), read_only=True) as con:
        emails = [row[0] for row in con.execute("select email from gold.customers where email is not null").fetchall()]
        phones = [row[0] for row in con.execute("select phone from gold.customers where phone is not null").fetchall()]
        orphans = con.execute(
            "select count(*) from gold.policies p left join gold.customers c using (customer_id) "
            "where c.customer_id is null"
        ).fetchone()[0]
        late = con.execute("select count(*) from gold.claims where reporting_delay_months > 0").fetchone()[0]
        rates = con.execute("select min(payment_rate), max(payment_rate) from gold.premiums_monthly").fetchone()
        rejected = con.execute("select count(*) from silver.customers where email_issue = 'invalid_email'").fetchone()[
            0
        ]
    assert emails and all(e == e.strip().lower() and re.match(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", e) for e in emails)
    assert phones and all(re.match(r"^\+33[1-9]\d{8}$", p) for p in phones)
    assert orphans == 0
    assert late > 0  # drop 2 carries claims of drop 1's month
    assert 0 < rates[0] <= rates[1] <= 1
    assert rejected > 0  # the generator's bad e-mails were caught, not served


def test_serving_file_and_catalog_agree(workspace, first_run, tmp_path) -> None:
    from reference_pipeline.catalog import catalog_from_manifest
    from reference_pipeline.settings import DBT_PROJECT_DIR

    catalog = catalog_from_manifest(DBT_PROJECT_DIR / "target" / "manifest.json")
    with duckdb.connect(str(workspace.settings.serving_path), read_only=True) as con:
        refreshed = dict(con.execute("select dataset, row_count from meta_refresh").fetchall())
        for name, dataset in catalog["datasets"].items():
            columns = [row[0] for row in con.execute(f'describe "{dataset["table"]}"').fetchall()]
            assert columns == [c["name"] for c in dataset["columns"]], name
            assert refreshed[dataset["table"]] == _gold_count(workspace, dataset["table"])


def test_incremental_run_loads_only_the_new_drop(workspace, first_run) -> None:
    before = {entity: _raw_frame(workspace.settings.landing_dir, entity) for entity in ENTITY_FORMATS}
    workspace.generate(range(3, 4))
    result = workspace.run()
    assert result.success
    materialisations = {
        e.asset_key.to_user_string(): e.step_materialization_data.materialization.metadata
        for e in result.all_events
        if e.is_step_materialization
    }
    for entity, fmt in ENTITY_FORMATS.items():
        metadata = materialisations[f"raw/{entity}"]
        assert metadata["new_files"].value == [f"drop_0003.{fmt}"]
        after = _raw_frame(workspace.settings.landing_dir, entity)
        assert metadata["rows_loaded"].value == len(after) - len(before[entity])
        assert len(metadata["loaded_files"].value) == 3
    # Schema drift: drop 3 renamed phone -> mobile_phone; the raw table grew a column, bronze kept the phones.
    assert materialisations["raw/customers"]["columns_added"].value == ["mobile_phone"]
    with duckdb.connect(str(workspace.settings.warehouse_path), read_only=True) as con:
        per_file = dict(con.execute("select _source_file, count(*) from bronze.customers group by 1").fetchall())
        drop3_phones = con.execute(
            "select count(phone) from bronze.customers where _source_file = 'drop_0003.csv'"
        ).fetchone()[0]
    assert set(per_file) == {"drop_0001.csv", "drop_0002.csv", "drop_0003.csv"}
    assert per_file["drop_0003.csv"] == materialisations["raw/customers"]["rows_loaded"].value
    assert drop3_phones == per_file["drop_0003.csv"]


def test_lineage_file_describes_datasets_owners_lineage_and_checks(workspace, first_run) -> None:
    records = lineage.read_file_sink(workspace.settings.lineage_file)
    by_aspect: dict[str, list[dict]] = {}
    for record in records:
        by_aspect.setdefault(record["aspectName"], []).append(record)
    urns = {r["entityUrn"] for r in by_aspect["datasetProperties"]}
    for table in GOLD:
        assert f"urn:li:dataset:(urn:li:dataPlatform:duckdb,warehouse.gold.{table},DEV)" in urns
    gold_customers = "urn:li:dataset:(urn:li:dataPlatform:duckdb,warehouse.gold.customers,DEV)"
    lineage_of = {r["entityUrn"]: r["aspect"]["json"]["upstreams"] for r in by_aspect["upstreamLineage"]}
    assert {u["dataset"] for u in lineage_of[gold_customers]} == {
        "urn:li:dataset:(urn:li:dataPlatform:duckdb,warehouse.silver.customers,DEV)",
        "urn:li:dataset:(urn:li:dataPlatform:duckdb,warehouse.silver.policies,DEV)",
    }
    schema = next(r for r in by_aspect["schemaMetadata"] if r["entityUrn"] == gold_customers)
    fields = {f["fieldPath"]: f for f in schema["aspect"]["json"]["fields"]}
    assert fields["email"]["globalTags"]["tags"] == [{"tag": "urn:li:tag:pii"}]  # dbt column meta pii: true
    assert "NumberType" in str(fields["policies_count"]["type"])
    owners = next(r for r in by_aspect["ownership"] if r["entityUrn"] == gold_customers)
    assert owners["aspect"]["json"]["owners"][0]["owner"] == "urn:li:corpGroup:crm-data-team"
    tags = next(r for r in by_aspect["globalTags"] if r["entityUrn"] == gold_customers)
    assert "urn:li:tag:classification:confidential" in {t["tag"] for t in tags["aspect"]["json"]["tags"]}
    runs = by_aspect["assertionRunEvent"]
    assert len(runs) > 30 and all(r["aspect"]["json"]["result"]["type"] == "SUCCESS" for r in runs)
    reference = next(r for r in by_aspect["datasetProperties"] if "raw.postal_codes" in r["entityUrn"])
    assert len(reference["aspect"]["json"]["customProperties"]["dvc_md5"]) == 32
