"""POST /v1/enrich/<entity> against a real gold DuckDB file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest


def _post(client, headers, entity, records):
    return client.post(f"/v1/enrich/{entity}", headers=headers, json={"records": records})


def test_customer_is_normalised_and_enriched_from_gold(client, producer, gold_file: Path) -> None:
    with duckdb.connect(str(gold_file), read_only=True) as con:
        customer_id, email = con.execute("SELECT customer_id, email FROM customers LIMIT 1").fetchone()
    record = {"first_name": "  jean-pierre ", "last_name": "d'artagnan", "email": f"  {email.upper()} ",
              "phone": "06 12 34 56 78", "birth_date": "01/03/1980", "postal_code": "69 003"}  # fmt: skip
    response = _post(client, producer, "customer", [record])
    assert response.status_code == 200
    result = response.json["results"][0]
    assert result["status"] == "ok", result["errors"]
    for key, value in {"first_name": "Jean-Pierre", "last_name": "D'ARTAGNAN", "email": email, "commune": "Lyon",
                       "postal_code": "69003", "department": "Rhône",
                       "phone": "+33612345678", "birth_date": "1980-03-01", "region": "Auvergne-Rhône-Alpes",
                       "customer_id": customer_id}.items():  # fmt: skip
        assert result["output"][key] == value, key


def test_invalid_fields_are_reported_and_record_kept(client, producer) -> None:
    records = [{"first_name": "A", "last_name": "B", "email": "no-at-sign", "birth_date": "31/02/1990"}, 17]
    body = _post(client, producer, "customer", records).json
    assert [r["status"] for r in body["results"]] == ["invalid", "invalid"]
    assert {(e["field"], e["code"]) for e in body["results"][0]["errors"]} == {
        ("email", "invalid_email"),
        ("birth_date", "invalid_date"),
    }
    assert body["summary"] == {"received": 2, "ok": 0, "invalid": 2, "duplicates": 0}


def test_in_batch_duplicates_report_match_keys(client, producer) -> None:
    base = {"first_name": "Léa", "last_name": "Martin", "birth_date": "1990-05-04"}
    records = [
        {**base, "email": "lea@example.fr"},
        {**base, "first_name": "LEA", "email": "other@example.fr"},
        {"first_name": "Paul", "last_name": "Simon", "email": " LEA@example.fr "},
        {"first_name": "Zoé", "last_name": "Roux"},
    ]
    results = _post(client, producer, "customer", records).json["results"]
    assert [(r["duplicate_of"], r["match_keys"]) for r in results] == [
        (None, []),
        (0, ["name_birth_date"]),
        (0, ["email"]),
        (None, []),
    ]


def test_claim_is_enriched_with_its_gold_policy(client, producer, gold_file: Path) -> None:
    with duckdb.connect(str(gold_file), read_only=True) as con:
        policy_id, product = con.execute("SELECT policy_id, product FROM policies LIMIT 1").fetchone()
    records = [
        {"policy_id": policy_id.lower(), "claim_date": "15/06/2024", "amount_eur": "1 234,5"},
        {"policy_id": "POL-99999999", "claim_date": "2024-06-15", "amount_eur": "10"},
    ]
    results = _post(client, producer, "claim", records).json["results"]
    assert results[0]["status"] == "ok"
    assert results[0]["output"]["amount_eur"] == "1234.50"
    assert results[0]["output"]["policy"]["product"] == product
    assert results[1]["status"] == "invalid"
    assert results[1]["errors"][0]["code"] == "unknown_policy"


def test_batch_over_1000_is_413_with_clear_message(client, producer) -> None:
    response = _post(client, producer, "customer", [{}] * 1001)
    assert response.status_code == 413
    assert "at most 1000" in response.json["detail"]


@pytest.mark.parametrize(
    ("body", "path"),
    [(b"{not json", "body"), (b'{"rows": []}', "body.records"), (b'{"records": [], "x": 1}', "body.x")],
)
def test_malformed_body_is_400_with_path(client, producer, body: bytes, path: str) -> None:
    response = client.post("/v1/enrich/customer", headers=producer, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json["errors"][0]["path"] == path


def test_unknown_entity_is_404(client, producer) -> None:
    assert _post(client, producer, "spaceship", []).status_code == 404


def test_auth(client, tokens) -> None:
    assert _post(client, {}, "customer", []).status_code == 401
    assert _post(client, tokens.header("Data.Read.Restricted"), "customer", []).status_code == 403
    assert _post(client, tokens.header("Enrichment.Run", audience="exposition-api"), "customer", []).status_code == 401
    assert _post(client, tokens.header("Enrichment.Run", lifetime_seconds=-120), "customer", []).status_code == 401


def test_warehouse_down_is_503_and_recovers(gold_file: Path, tmp_path: Path, tokens) -> None:
    import shutil

    from dataplatform_common.warehouse import DuckDBWarehouse
    from enrichment_api import create_app

    path = tmp_path / "gold.duckdb"
    shutil.copy(gold_file, path)
    client = create_app(warehouse=DuckDBWarehouse(path, recheck_seconds=0), verifier=tokens.verifier()).test_client()
    headers = tokens.header("Enrichment.Run")
    record = [{"first_name": "a", "last_name": "b", "postal_code": "75001"}]
    path.rename(tmp_path / "away.duckdb")
    down = _post(client, headers, "customer", record)
    assert down.status_code == 503 and "Retry-After" in down.headers
    assert client.get("/readyz").status_code == 503
    (tmp_path / "away.duckdb").rename(path)
    assert _post(client, headers, "customer", record).status_code == 200


def test_enrichment_metric(client, producer) -> None:
    _post(client, producer, "customer", [{"first_name": "a", "last_name": "b"}, {"first_name": "x"}])
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'dataapp_enrichment_records_total{app="enrichment-api",entity="customer",status="invalid"}' in metrics
