"""Auth with really signed RS256 tokens: valid, expired, wrong audience, wrong role, untrusted key."""

from __future__ import annotations

import time

import pytest

URL = "/v1/datasets/claims/rows?limit=1"


def test_valid_token_reads_internal_dataset(client, tokens) -> None:
    assert client.get(URL, headers=tokens.header("Data.Read.Internal")).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"now": int(time.time()) - 7200, "lifetime_seconds": 600}, "token expired"),
        ({"audience": "enrichment-api"}, "audience"),
        ({"untrusted": True}, "invalid token"),
        ({"issuer": "https://evil.example"}, "issuer"),
    ],
)
def test_rejected_tokens_are_401(client, tokens, overrides, reason) -> None:
    response = client.get(URL, headers=tokens.header("Data.Read.Internal", **overrides))
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert reason in response.json["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_missing_token_is_401(client) -> None:
    assert client.get(URL).status_code == 401
    assert client.get("/v1/datasets/claims/export").status_code == 401


def test_role_below_classification_is_403(client, tokens) -> None:
    response = client.get("/v1/datasets/customers/rows", headers=tokens.header("Data.Read.Internal"))
    assert response.status_code == 403
    assert "Data.Read.Confidential" in response.json["detail"]


def test_no_read_role_sees_only_nothing(client, tokens) -> None:
    assert client.get(URL, headers=tokens.header("Enrichment.Run")).status_code == 403
    assert client.get("/v1/datasets/postal_codes/rows", headers=tokens.header()).status_code == 403


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"])
def test_health_metrics_and_docs_are_anonymous(client, path) -> None:
    assert client.get(path).status_code == 200


def test_docs_page_has_an_authorize_button_and_no_external_resource(client) -> None:
    spec = client.get("/openapi.json").json
    assert spec["paths"]["/openapi.json"]["get"]["security"] == []
    assert spec["paths"]["/docs"]["get"]["security"] == []
    page = client.get("/docs").get_data(as_text=True)
    assert "id='authorize'" in page and "Authorization = 'Bearer ' + token" in page
    assert "http://" not in page.split("<script type='application/json'")[0] and "src=" not in page
    assert "/v1/datasets/claims/export" in page
