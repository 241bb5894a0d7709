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


def test_domains_glossary_terms_and_published_gold(tmp_path: Path) -> None:
    gold = {
        "resource_type": "model",
        "name": "gold_claims",
        "alias": "claims",
        "schema": "GOLD_AUDIT",  # the Snowflake manifest: dbt builds gold into the audit schema
        "config": {"meta": {"owner": "claims-data-team", "domain": "insurance"}},
        "columns": {"claim_id": {"description": "Claim identifier", "meta": {"glossary_term": "Claim"}}},
        "depends_on": {"nodes": ["model.p.silver_claims"]},
    }
    manifest = {**MANIFEST, "nodes": {**MANIFEST["nodes"], "model.p.gold_claims": gold}}
    namespace = lineage.Namespace("snowflake", "ANALYTICS", "PROD")
    columns = {"gold.claims": [("claim_id", "VARCHAR")]}
    checks = [lineage.CheckOutcome("gold.claims", "row_count_anomaly", passed=True)]
    lineage.write_file_sink(lineage.build_mcps(manifest, namespace, columns, checks), tmp_path / "l.json")
    records = lineage.read_file_sink(tmp_path / "l.json")
    aspects = {(r["entityUrn"], r["aspectName"]): r["aspect"]["json"] for r in records}
    published = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.gold.claims,PROD)"
    assert not any("gold_audit" in urn for urn, _ in aspects)  # consumers read gold, DataHub describes gold
    assert aspects[(published, "domains")]["domains"] == ["urn:li:domain:insurance"]
    assert aspects[("urn:li:domain:insurance", "domainProperties")]["name"] == "insurance"
    (field,) = aspects[(published, "schemaMetadata")]["fields"]
    assert field["glossaryTerms"]["terms"] == [{"urn": "urn:li:glossaryTerm:Claim"}]
    term = aspects[("urn:li:glossaryTerm:Claim", "glossaryTermInfo")]
    assert term["definition"] == "Claim identifier" and term["termSource"] == "INTERNAL"
    run = next(r["aspect"]["json"] for r in records if r["aspectName"] == "assertionRunEvent")
    assert run["asserteeUrn"] == published
    silver = "urn:li:dataset:(urn:li:dataPlatform:snowflake,analytics.silver.claims,PROD)"
    assert (silver, "domains") not in aspects  # no meta.domain, no domain
