"""DataHub aspects built from a small manifest, written with the acryl-datahub file sink and read back."""

from __future__ import annotations

from pathlib import Path

from reference_pipeline import lineage

MANIFEST = {
    "sources": {
        "source.p.raw.claims": {
            "resource_type": "source",
            "name": "claims",
            "identifier": "claims",
            "schema": "raw",
            "description": "raw claims",
            "meta": {"classification": "internal"},
        }
    },
    "nodes": {
        "model.p.silver_claims": {
            "resource_type": "model",
            "name": "silver_claims",
            "alias": "claims",
            "schema": "silver",
            "description": "clean claims",
            "config": {"meta": {"owner": "claims-data-team", "classification": "internal"}},
            "columns": {"claim_id": {"description": "id"}, "claimant_email": {"meta": {"pii": True}}},
            "depends_on": {"nodes": ["source.p.raw.claims", "macro.p.something"]},
        },
        "test.p.unique_claims": {"resource_type": "test", "name": "unique", "schema": "silver", "alias": "x"},
    },
}


def test_aspects_lineage_and_failed_check_round_trip(tmp_path: Path) -> None:
    checks = [lineage.CheckOutcome("silver.claims", "unique_claim_id", passed=False, description="2 duplicates")]
    columns = {"silver.claims": [("claim_id", "VARCHAR"), ("claimant_email", "VARCHAR"), ("amount", "DECIMAL(12,2)")]}
    namespace = lineage.Namespace("snowflake", "ANALYTICS_STAGING", "STG")
    mcps = lineage.build_mcps(MANIFEST, namespace, columns, checks)
    out = tmp_path / "lineage.json"
    lineage.write_file_sink(mcps, out)
    records = lineage.read_file_sink(out)

    # As DataHub's own Snowflake and dbt ingestion name them (database.schema.table, lower case; the env's fabric).
    silver = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics_staging.silver.claims,STG)"
    raw = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics_staging.raw.claims,STG)"
    aspects = {(r["entityUrn"], r["aspectName"]): r["aspect"]["json"] for r in records}
    assert aspects[(silver, "upstreamLineage")]["upstreams"][0]["dataset"] == raw
    assert (raw, "upstreamLineage") not in aspects
    owner = aspects[(silver, "ownership")]["owners"][0]
    assert owner["owner"] == "urn:li:corpGroup:claims-data-team" and owner["type"] == "TECHNICAL_OWNER"
    assert owner["typeUrn"] == "urn:li:ownershipType:__system__technical_owner"
    fields = {f["fieldPath"]: f for f in aspects[(silver, "schemaMetadata")]["fields"]}
    assert list(fields) == ["claim_id", "claimant_email", "amount"]
    assert "NumberType" in str(fields["amount"]["type"]) and "StringType" in str(fields["claim_id"]["type"])
    assert fields["claimant_email"]["globalTags"]["tags"] == [{"tag": "urn:li:tag:pii"}]
    assert "globalTags" not in fields["claim_id"] or not fields["claim_id"]["globalTags"]
    assert not any("unique" in urn for urn, _ in aspects if urn.startswith("urn:li:dataset"))
    run = next(r["aspect"]["json"] for r in records if r["aspectName"] == "assertionRunEvent")
    assert run["asserteeUrn"] == silver and run["result"]["type"] == "FAILURE"
