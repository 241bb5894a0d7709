"""JSON pages fetch exact-DOUBLE decimals as floats (`RowsQuery.json_sql`) and write the same bytes as pages
built from Python Decimal objects through the encoder's fallback, on every gold row, with the same cursors."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from exposition_api import formats
from exposition_api.catalog import load_catalog
from exposition_api.query import build_rows_query, encode_cursor


def _quote(name: str) -> str:
    return '"' + name + '"'


@pytest.mark.parametrize(
    ("dataset", "args"),
    [
        ("policies", {"limit": ["1000"]}),
        ("policies", {"limit": ["1000"], "sort": ["-start_date"]}),
        ("policies", {"limit": ["1000"], "sort": ["start_date"], "fields": ["annual_premium_eur,end_date"]}),
        ("claims", {"limit": ["1000"], "sort": ["claim_date"]}),
        ("premiums_monthly", {"limit": ["1000"]}),
    ],
)
def test_float_decimals_write_the_same_json_on_every_gold_row(gold_file: Path, dataset: str, args) -> None:
    query = build_rows_query(load_catalog()[dataset], args, _quote)
    assert query.json_sql, "these pages have DECIMAL columns outside the sort"
    with duckdb.connect(str(gold_file), read_only=True) as con:
        generic = con.execute(query.sql.replace(" LIMIT 1001", ""), query.params)
        columns = [c[0] for c in generic.description]
        generic_rows = generic.fetchall()
        fast = con.execute(query.json_sql.replace(" LIMIT 1001", ""), query.params)
        assert [c[0] for c in fast.description] == columns
        fast_rows = fast.fetchall()
    assert len(generic_rows) == len(fast_rows) > 1000
    indexes = [columns.index(f) for f in query.fields]
    meta = {"dataset": dataset}
    for start in range(0, len(generic_rows), 1000):  # page by page, as the endpoint encodes them
        page_generic, page_fast = generic_rows[start : start + 1000], fast_rows[start : start + 1000]
        assert formats.rows_to_json(meta, query.fields, [tuple(r[i] for i in indexes) for r in page_generic]) == (
            formats.rows_to_json(meta, query.fields, [tuple(r[i] for i in indexes) for r in page_fast])
        )
        last_generic, last_fast = (
            dict(zip(columns, page_generic[-1], strict=True)),
            dict(zip(columns, page_fast[-1], strict=True)),
        )
        assert encode_cursor(query.order, last_generic) == encode_cursor(query.order, last_fast)


def test_decimals_stay_exact_when_they_are_sorted_on_and_pages_without_decimals_need_no_second_query() -> None:
    catalog = load_catalog()
    assert build_rows_query(catalog["policies"], {"sort": ["-annual_premium_eur"]}, _quote).json_sql == ""
    assert build_rows_query(catalog["postal_codes"], {}, _quote).json_sql == ""
