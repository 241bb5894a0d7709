"""Bulk export: every row (or the filtered ones) streamed as CSV, Arrow IPC or Parquet, with the rows endpoint's
auth, classification and audit record, in memory that does not grow with the dataset."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dataplatform_common.testing import make_gold
from dataplatform_common.warehouse import DuckDBWarehouse
from exposition_api import create_app

URL = "/v1/datasets/policies/export"


def _duckdb(gold_file: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(gold_file), read_only=True) as con:
        return con.execute(sql).fetchall()


def _table(response) -> pa.Table:
    if response.mimetype == "application/vnd.apache.parquet":
        return pq.read_table(io.BytesIO(response.data))
    return pa.ipc.open_stream(response.data).read_all()


@pytest.mark.parametrize("fmt", ["arrow", "parquet"])
def test_binary_exports_have_every_row_in_key_order(client, reader, gold_file, fmt) -> None:
    response = client.get(f"{URL}?format={fmt}", headers=reader)
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"].startswith('attachment; filename="policies.')
    table = _table(response)
    expected = _duckdb(gold_file, "SELECT policy_id, annual_premium FROM policies ORDER BY policy_id")
    assert list(zip(table.column("policy_id").to_pylist(), table.column("annual_premium").to_pylist(),
                    strict=True)) == expected  # fmt: skip


def test_csv_export_by_accept_with_filter_and_projection(client, reader, gold_file) -> None:
    response = client.get(f"{URL}?product=AUTO&fields=policy_id,start_date", headers={**reader, "Accept": "text/csv"})
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    expected = _duckdb(gold_file, "SELECT policy_id, start_date FROM policies WHERE product = 'AUTO' ORDER BY 1")
    assert rows[0] == ["policy_id", "start_date"]
    assert rows[1:] == [[p, d.isoformat()] for p, d in expected]


def test_empty_export_still_has_the_columns(client, reader) -> None:
    as_csv = client.get(f"{URL}?product=none&fields=policy_id,product&format=csv", headers=reader)
    assert as_csv.data == b"policy_id,product\n"
    for fmt in ("arrow", "parquet"):
        table = _table(client.get(f"{URL}?product=none&format={fmt}", headers=reader))
        assert table.num_rows == 0 and table.column_names[0] == "policy_id"


def test_export_checks_token_classification_and_parameters(client, tokens, reader) -> None:
    assert client.get(URL).status_code == 401
    assert client.get("/v1/datasets/customers/export", headers=tokens.header("Data.Read.Internal")).status_code == 403
    bad = client.get(f"{URL}?product.gt=a&format=xlsx", headers=reader)
    assert bad.status_code == 400
    assert {e["path"] for e in bad.json["errors"]} == {"query.product.gt", "query.format"}
    assert client.get(URL, headers={**reader, "Accept": "application/json"}).status_code == 406


def test_export_is_audited_with_the_caller_and_the_row_count(client, reader, gold_file, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="dataplatform.audit"):
        client.get(f"{URL}?format=csv&status=ACTIVE", headers=reader).get_data()
    records = [r for r in caplog.records if r.name == "dataplatform.audit"]
    audit = records[-1].audit
    active = _duckdb(gold_file, "SELECT count(*) FROM policies WHERE status = 'ACTIVE'")[0][0]
    assert audit | {"request_id": None} == {
        "dataset": "policies",
        "classification": "internal",
        "subject": "dev-user",
        "format": "csv",
        "rows": active,
        "complete": True,
        "request_id": None,
    }
    assert records[-1].getMessage() == "export"


def _peak_arrow_bytes(app, headers: dict[str, str]) -> tuple[int, int, int]:
    """(rows, chunks, peak Arrow-allocated bytes while the Parquet export streams, above the level before it)."""
    client = app.test_client()
    baseline = pa.total_allocated_bytes()
    response = client.get(f"{URL}?format=parquet", headers=headers, buffered=False)
    peak, chunks = 0, 0
    body = io.BytesIO()
    for chunk in response.response:
        chunks += 1
        body.write(chunk)
        peak = max(peak, pa.total_allocated_bytes() - baseline)
    response.close()
    return pq.read_metadata(io.BytesIO(body.getvalue())).num_rows, chunks, peak


def test_memory_does_not_grow_with_the_dataset(tmp_path_factory, tokens) -> None:
    """Arrow's allocations (the encoder's side; DuckDB streams its result in batches) while exporting 20x more
    rows stay within the same bound: one batch at a time, and the stream has one chunk per batch."""
    headers = tokens.header("Data.Read.Internal")
    peaks = {}
    for rows in (4_000, 80_000):
        gold = make_gold(tmp_path_factory.mktemp(f"gold{rows}"), rows=rows)
        app = create_app(warehouse=DuckDBWarehouse(gold), verifier=tokens.verifier(), export_batch_rows=2_048)
        exported, chunks, peak = _peak_arrow_bytes(app, headers)
        assert exported == rows * 45 // 100 and chunks > exported // 2_048
        peaks[rows] = peak
    batch_bytes = 2_048 * 200  # a generous size of one encoded batch of policies
    assert peaks[80_000] < 4 * batch_bytes, peaks
    assert peaks[80_000] < 2 * max(peaks[4_000], batch_bytes), peaks
