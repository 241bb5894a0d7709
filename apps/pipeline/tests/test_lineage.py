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
            "columns": {"claim_id": {"description": "id"}},
            "depends_on": {"nodes": ["source.p.raw.claims", "macro.p.something"]},
        },
        "test.p.unique_claims": {"resource_type": "test", "name": "unique", "schema": "silver", "alias": "x"},
    },
}


def test_aspects_lineage_and_failed_check_round_trip(tmp_path: Path) -> None:
    checks = [lineage.CheckOutcome("silver.claims", "unique_claim_id", passed=False, description="2 duplicates")]
    mcps = lineage.build_mcps(MANIFEST, "duckdb", "warehouse", {"silver.claims": [("claim_id", "VARCHAR")]}, checks)
    out = tmp_path / "lineage.json"
    lineage.write_file_sink(mcps, out)
    records = lineage.read_file_sink(out)

    silver = "urn:li:dataset:(urn:li:dataPlatform:duckdb,warehouse.silver.claims,PROD)"
    raw = "urn:li:dataset:(urn:li:dataPlatform:duckdb,warehouse.raw.claims,PROD)"
    aspects = {(r["entityUrn"], r["aspectName"]): r["aspect"]["json"] for r in records}
    assert aspects[(silver, "upstreamLineage")]["upstreams"][0]["dataset"] == raw
    assert (raw, "upstreamLineage") not in aspects
    assert aspects[(silver, "ownership")]["owners"][0]["owner"] == "urn:li:corpuser:claims-data-team"
    assert aspects[(silver, "schemaMetadata")]["fields"][0]["fieldPath"] == "claim_id"
    assert not any("unique" in urn for urn, _ in aspects if urn.startswith("urn:li:dataset"))
    run = next(r["aspect"]["json"] for r in records if r["aspectName"] == "assertionRunEvent")
    assert run["asserteeUrn"] == silver and run["result"]["type"] == "FAILURE"
