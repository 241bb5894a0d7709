"""Fast tests of the building blocks: UDF adapters, ingestion, DVC reference, catalog generation."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from reference_pipeline import cli, ingestion, reference_data, udfs
from reference_pipeline.catalog import CatalogGenerationError, api_type, catalog_from_manifest
from reference_pipeline.raw_drops import DropSpec, DropWriter


def test_udfs_apply_the_enrichment_api_rules() -> None:
    from dataplatform_common.normalise import CUSTOMER, normalise_record

    record = {"email": " Jean.Dupont@Example.COM ", "phone": "06 12 34 56 78", "birth_date": "01/03/1980"}
    expected = normalise_record({**record, "first_name": "x", "last_name": "y"}, CUSTOMER).output
    for field, value in record.items():
        assert udfs.normalise_value("customer", field, value) == expected[field]
    assert udfs.normalise_value("customer", "email", "nope@@x") is None
    assert udfs.normalise_error("customer", "email", "nope@@x") == "invalid_email"
    assert udfs.normalise_error("customer", "email", "a@b.fr") is None
    assert udfs.postal_attribute("1000", "department_code") == "01"


def test_vectorised_sql_functions_match_the_row_by_row_rules() -> None:
    """The Arrow UDFs (one rule call per distinct value of a chunk) give exactly the row-wise results."""
    from reference_pipeline.dbt_udfs import register_functions

    values = ["a@b.fr", " A@B.FR ", None, "nope@@x", "", "a@b.fr", "06 12 34 56 78", "1000"] * 700  # > 1 chunk
    con = duckdb.connect()
    register_functions(con)
    con.execute("create table v as select unnest(?) as value, generate_subscripts(?, 1) as n", [values, values])
    for field in ("email", "phone", "postal_code"):
        got = con.execute(
            f"select dp_normalise('customer', '{field}', value), dp_normalise_error('customer', '{field}', value) "
            "from v order by n"
        ).fetchall()
        assert got == [
            (udfs.normalise_value("customer", field, v), udfs.normalise_error("customer", field, v)) for v in values
        ]
    # Arguments that vary within a chunk take the memo path, with the same results.
    varying = con.execute(
        "select dp_normalise(case when n % 2 = 0 then 'customer' else 'claim' end, 'postal_code', ' 1000'), "
        "dp_postal(case when n % 3 = 0 then null else '75001' end, "
        "case when n % 2 = 0 then 'region' else 'department' end) "
        "from v order by n limit 6"
    ).fetchall()
    assert [row[0] for row in varying] == [
        udfs.normalise_value("customer" if n % 2 == 0 else "claim", "postal_code", " 1000") for n in range(1, 7)
    ]
    assert [row[1] for row in varying] == [
        udfs.postal_attribute(None if n % 3 == 0 else "75001", "region" if n % 2 == 0 else "department")
        for n in range(1, 7)
    ]


def test_udfs_reject_unknown_fields_with_the_fix() -> None:
    with pytest.raises(ValueError, match="has no field 'iban'"):
        udfs.normalise_value("customer", "iban", "FR76")


def test_ingestion_adds_drifted_columns_and_reloads_idempotently(tmp_path: Path) -> None:
    writer = DropWriter(tmp_path / "landing", ["75001", "69003"])
    for number in (1, 3):  # drop 3 renames phone -> mobile_phone
        writer.write(DropSpec(number=number, customers=5))
    files = ingestion.landed_files(tmp_path / "landing", "customers")
    con = duckdb.connect()
    first = ingestion.load_files(con, "customers", files[:1])
    second = ingestion.load_files(con, "customers", files[1:])
    again = ingestion.load_files(con, "customers", files[1:])
    assert first.columns_added == [] and second.columns_added == ["mobile_phone"]
    assert again.total_rows == second.total_rows  # reloading a file replaces its rows


def test_reference_md5_mismatch_is_refused_with_the_fix(tmp_path: Path) -> None:
    data = tmp_path / "postal_codes.csv"
    data.write_text("postal_code,commune\n75001,Paris\n", encoding="utf-8")
    (tmp_path / "postal_codes.csv.dvc").write_text(
        f"outs:\n- md5: {'0' * 32}\n  size: 10\n  path: postal_codes.csv\n", encoding="utf-8"
    )
    with pytest.raises(reference_data.ReferenceDataError, match=r"not the tracked version.*fix: `dvc checkout`"):
        reference_data.verified_version(data)
    data.unlink()
    with pytest.raises(reference_data.ReferenceDataError, match=r"is missing; fix: `reference-pipeline prepare`"):
        reference_data.verified_version(data)
    assert "prepare" in cli.build_parser().format_help()  # the command the message names exists


def test_catalog_types_and_errors(tmp_path: Path) -> None:
    assert api_type("m", "c", "decimal(12, 2)") == "DECIMAL(12,2)"
    with pytest.raises(CatalogGenerationError, match=r"m\.flag: data_type 'boolean'"):
        api_type("m", "flag", "boolean")
    empty = tmp_path / "manifest.json"
    empty.write_text(json.dumps({"nodes": {}}), encoding="utf-8")
    with pytest.raises(CatalogGenerationError, match=r"no gold model has meta\.exposed"):
        catalog_from_manifest(empty)


def test_generated_catalog_follows_the_exposition_api_format() -> None:
    from reference_pipeline.settings import DBT_PROJECT_DIR

    catalog = catalog_from_manifest(DBT_PROJECT_DIR / "target" / "manifest.json")["datasets"]
    assert set(catalog) == {"customers", "policies", "claims", "premiums_monthly", "postal_codes"}
    for name, dataset in catalog.items():
        columns = {c["name"] for c in dataset["columns"]}
        assert set(dataset["unique_key"]) <= columns, name
        assert set(dataset["dimensions"]) | set(dataset["measures"]) <= columns, name
        assert dataset["classification"] in {"public", "internal", "confidential", "restricted"}


def test_every_exposed_gold_model_is_in_the_api_exposure() -> None:
    import json

    from reference_pipeline.settings import DBT_PROJECT_DIR

    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    exposed = {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node.get("config", {}).get("meta", {}).get("exposed")
    }
    exposure = next(e for e in manifest["exposures"].values() if e["name"] == "exposition_api")
    assert exposed and exposed == set(exposure["depends_on"]["nodes"]), "list each exposed model in exposures.yml"


def test_dagster_owners_follow_dbt_meta_owner() -> None:
    from reference_pipeline.definitions import build_definitions
    from reference_pipeline.settings import DBT_PROJECT_DIR

    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    gold = {n["alias"]: n["config"]["meta"]["owner"] for n in manifest["nodes"].values() if n["schema"] == "gold"}
    assert len(set(gold.values())) > 1  # the gold marts belong to different teams
    graph = build_definitions().resolve_asset_graph()
    for table, team in gold.items():
        assert graph.get(dg.AssetKey(["gold", table])).owners == [f"team:{team}"], table
    source_team = next(s["meta"]["owner"] for s in manifest["sources"].values() if s["name"] == "postal_codes")
    for key in (["raw", "postal_codes"], ["serving", "gold"], ["silver", "customers"]):
        assert graph.get(dg.AssetKey(key)).owners == [f"team:{source_team}"], key


def test_snowflake_row_counts_come_from_dagster_dbt() -> None:
    from reference_pipeline.assets.dbt import dbt_events

    class Stream(list):
        counted = False

        def fetch_row_counts(self) -> Stream:
            self.counted = True
            return self

    class Invocation:
        def __init__(self) -> None:
            self.stream_ = Stream(["event"])

        def stream(self) -> Stream:
            return self.stream_

    cloud, local = Invocation(), Invocation()
    assert list(dbt_events(cloud, local=False)) == ["event"] and cloud.stream_.counted
    assert list(dbt_events(local, local=True)) == ["event"] and not local.stream_.counted
