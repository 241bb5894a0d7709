"""Rows endpoint against a real DuckDB gold file: pagination, filters, sort, formats, caching."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from flask.testing import FlaskClient


def _all_pages(client: FlaskClient, headers: dict[str, str], url: str) -> list[dict]:
    rows, cursor, pages = [], None, 0
    while True:
        response = client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=headers)
        assert response.status_code == 200, response.json
        body = response.json
        rows.extend(body["data"])
        pages += 1
        cursor = body["next_cursor"]
        assert pages < 1000
        if cursor is None:
            return rows


def _duckdb(gold_file: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(gold_file), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_keyset_pages_cover_every_row_once_in_order(client, reader, gold_file) -> None:
    rows = _all_pages(client, reader, "/v1/datasets/postal_codes/rows?limit=37")
    expected = _duckdb(gold_file, "SELECT postal_code, commune FROM ref_postal_codes ORDER BY postal_code")
    assert [(r["postal_code"], r["commune"]) for r in rows] == expected


def test_descending_sort_with_filter_matches_duckdb(client, reader, gold_file) -> None:
    url = "/v1/datasets/claims/rows?limit=250&sort=-claim_id&status=OPEN&fields=claim_id,amount_eur"
    rows = _all_pages(client, reader, url)
    expected = _duckdb(gold_file, "SELECT claim_id FROM claims WHERE status = 'OPEN' ORDER BY claim_id DESC")
    assert [r["claim_id"] for r in rows] == [e[0] for e in expected]
    assert set(rows[0]) == {"claim_id", "amount_eur"}


@pytest.mark.parametrize(
    ("query", "where", "params"),
    [
        ("product.in=AUTO,HOME", "product IN (?, ?)", ["AUTO", "HOME"]),
        ("claim_date.gte=2022-01-01&claim_date.lt=2023-01-01", "claim_date >= ? AND claim_date < ?",
         ["2022-01-01", "2023-01-01"]),
        ("amount_eur.gt=15000.5", "amount_eur > ?", [15000.5]),
        ("customer_id=CUS-0000042", "customer_id = ?", ["CUS-0000042"]),
        ("reporting_delay_months.gte=2", "reporting_delay_months >= ?", [2]),
    ],
)  # fmt: skip
def test_filters_match_duckdb(client, reader, gold_file, query, where, params) -> None:
    rows = _all_pages(client, reader, f"/v1/datasets/claims/rows?limit=1000&{query}")
    expected = _duckdb(gold_file, f"SELECT count(*) FROM claims WHERE {where}", params)[0][0]
    assert len(rows) == expected


def test_csv_and_arrow_formats(client, reader, gold_file) -> None:
    url = "/v1/datasets/policies/rows?limit=10&fields=policy_id,annual_premium"
    as_csv = client.get(url, headers={**reader, "Accept": "text/csv"})
    assert as_csv.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(as_csv.get_data(as_text=True))))
    assert table[0] == ["policy_id", "annual_premium"] and len(table) == 11
    as_arrow = client.get(url, headers={**reader, "Accept": "application/vnd.apache.arrow.stream"})
    arrow = pa.ipc.open_stream(as_arrow.data).read_all()
    assert arrow.column_names == ["policy_id", "annual_premium"]
    assert arrow.column("policy_id").to_pylist() == [row[0] for row in table[1:]]
    assert as_arrow.headers["X-Next-Cursor"] == as_csv.headers["X-Next-Cursor"]


def test_unsupported_accept_is_406(client, reader) -> None:
    response = client.get("/v1/datasets/policies/rows", headers={**reader, "Accept": "application/xml"})
    assert response.status_code == 406
    assert response.mimetype == "application/problem+json"


def test_etag_gives_304_and_gzip_is_honoured(client, reader) -> None:
    url = "/v1/datasets/customers/rows?limit=200"
    first = client.get(url, headers=reader)
    etag = first.headers["ETag"]
    again = client.get(url, headers={**reader, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    zipped = client.get(url, headers={**reader, "Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == first.data


def test_invalid_parameters_list_every_field_path(client, reader) -> None:
    response = client.get("/v1/datasets/claims/rows?limit=0&sort=status&status.gte=a&nope=1&cursor=zz", headers=reader)
    assert response.status_code == 400
    paths = {error["path"] for error in response.json["errors"]}
    assert paths == {"query.limit", "query.sort", "query.status.gte", "query.nope"}


def test_forged_cursor_is_400(client, reader) -> None:
    first = client.get("/v1/datasets/claims/rows?limit=5", headers=reader).json
    other_sort = client.get(f"/v1/datasets/claims/rows?limit=5&sort=-claim_id&cursor={first['next_cursor']}",
                            headers=reader)  # fmt: skip
    assert other_sort.status_code == 400
    assert other_sort.json["errors"][0]["path"] == "query.cursor"


def test_unknown_dataset_is_404(client, reader) -> None:
    response = client.get("/v1/datasets/salaries/rows", headers=reader)
    assert response.status_code == 404
    assert response.json["status"] == 404


def test_sql_injection_in_values_is_only_data(client, reader) -> None:
    response = client.get("/v1/datasets/claims/rows?status=OPEN'%20OR%20'1'='1", headers=reader)
    assert response.status_code == 200
    assert response.json["data"] == []


def test_catalog_lists_readable_datasets_with_counts(client, tokens, gold_file) -> None:
    body = client.get("/v1/datasets", headers=tokens.header("Data.Read.Internal")).json
    names = {d["name"] for d in body["datasets"]}
    assert "customers" not in names and {"claims", "policies", "postal_codes"} <= names
    claims = next(d for d in body["datasets"] if d["name"] == "claims")
    assert claims["row_count"] == _duckdb(gold_file, "SELECT count(*) FROM claims")[0][0]
    assert claims["last_refresh"].startswith("2026-")
    amount = next(column for column in claims["columns"] if column["name"] == "amount_eur")
    assert {"name": "amount_eur", "type": "DECIMAL(12,2)"}.items() <= amount.items()


def test_aggregate_matches_duckdb(client, reader, gold_file) -> None:
    response = client.get("/v1/datasets/claims/aggregate?group_by=product&metrics=count,sum:amount_eur&status=OPEN",
                          headers=reader)  # fmt: skip
    assert response.status_code == 200
    got = {row["product"]: (row["count"], row["sum_amount_eur"]) for row in response.json["data"]}
    expected = _duckdb(
        gold_file, "SELECT product, count(*), sum(amount_eur) FROM claims WHERE status='OPEN' GROUP BY 1"
    )
    assert got == {product: (count, pytest.approx(float(total))) for product, count, total in expected}


def test_aggregate_rejects_non_dimensions(client, reader) -> None:
    response = client.get("/v1/datasets/claims/aggregate?group_by=claim_id&metrics=sum:status", headers=reader)
    assert response.status_code == 400
    assert {e["path"] for e in response.json["errors"]} == {"query.group_by", "query.metrics"}


def test_rows_served_metric_counts_rows(client, reader) -> None:
    client.get("/v1/datasets/policies/rows?limit=7&product=AUTO", headers=reader)
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'dataapp_rows_served_total{app="exposition-api",dataset="policies",format="json"}' in metrics
    assert 'route="/v1/datasets/<name>/rows"' in metrics


def test_catalog_without_refresh_metadata_has_null_counts(tmp_path, gold_file, tokens) -> None:
    import shutil

    from dataplatform_common.warehouse import DuckDBWarehouse
    from exposition_api import create_app

    path = tmp_path / "gold.duckdb"
    shutil.copy(gold_file, path)
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE meta_refresh")
    client = create_app(warehouse=DuckDBWarehouse(path), verifier=tokens.verifier()).test_client()
    body = client.get("/v1/datasets", headers=tokens.header("Data.Read.Public")).json
    assert [(d["name"], d["row_count"], d["last_refresh"]) for d in body["datasets"]] == [("postal_codes", None, None)]
