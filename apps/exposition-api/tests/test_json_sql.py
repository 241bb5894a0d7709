"""JSON pages fetch exact-DOUBLE decimals as floats (`RowsQuery.json_sql`) and write the same bytes as pages
built from Python Decimal objects through the encoder's fallback, on every gold row, with the same cursors."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb
import pytest
import yaml
from exposition_api import formats
from exposition_api.catalog import load_catalog
from exposition_api.query import build_rows_query, encode_cursor


def _quote(name: str) -> str:
    return '"' + name + '"'


@pytest.mark.parametrize(
    ("dataset", "args"),
    [
        ("policies", {"limit": ["1000"]}),
        ("policies", {"limit": ["1000"], "sort": ["-policy_id"]}),
        ("policies", {"limit": ["1000"], "fields": ["annual_premium,start_date"]}),
        ("claims", {"limit": ["1000"], "sort": ["-claim_id"]}),
        ("premiums_monthly", {"limit": ["100"]}),
    ],
)
def test_float_decimals_write_the_same_json_on_every_gold_row(gold_file: Path, dataset: str, args) -> None:
    query = build_rows_query(load_catalog()[dataset], args, _quote)
    assert query.json_sql, "these pages have DECIMAL columns outside the sort"
    page = int(args["limit"][0])
    with duckdb.connect(str(gold_file), read_only=True) as con:
        generic = con.execute(query.sql.replace(f" LIMIT {page + 1}", ""), query.params)
        columns = [c[0] for c in generic.description]
        generic_rows = generic.fetchall()
        fast = con.execute(query.json_sql.replace(f" LIMIT {page + 1}", ""), query.params)
        assert [c[0] for c in fast.description] == columns
        fast_rows = fast.fetchall()
    assert len(generic_rows) == len(fast_rows) > page
    indexes = [columns.index(f) for f in query.fields]
    meta = {"dataset": dataset}
    for start in range(0, len(generic_rows), page):  # page by page, as the endpoint encodes them
        page_generic, page_fast = generic_rows[start : start + page], fast_rows[start : start + page]
        assert formats.rows_to_json(meta, query.fields, [tuple(r[i] for i in indexes) for r in page_generic]) == (
            formats.rows_to_json(meta, query.fields, [tuple(r[i] for i in indexes) for r in page_fast])
        )
        last_generic, last_fast = (
            dict(zip(columns, page_generic[-1], strict=True)),
            dict(zip(columns, page_fast[-1], strict=True)),
        )
        assert encode_cursor(query.order, last_generic) == encode_cursor(query.order, last_fast)


def test_decimals_stay_exact_when_they_are_sorted_on_and_pages_without_decimals_need_no_second_query(
    tmp_path: Path,
) -> None:
    # The generated catalog sorts on keys only: make a decimal sortable, as a catalog may.
    raw = yaml.safe_load(resources.files("exposition_api").joinpath("catalog.yaml").read_text(encoding="utf-8"))
    for column in raw["datasets"]["policies"]["columns"]:
        column["sortable"] = column["sortable"] or column["name"] == "annual_premium"
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    catalog = load_catalog(tmp_path / "catalog.yaml")
    sorted_on = build_rows_query(catalog["policies"], {"sort": ["-annual_premium"]}, _quote).json_sql
    assert 'CAST("annual_premium"' not in sorted_on and 'CAST("claims_amount_eur" AS DOUBLE)' in sorted_on
    assert build_rows_query(catalog["policies"], {"fields": ["policy_id,annual_premium"],
                                                  "sort": ["-annual_premium"]}, _quote).json_sql == ""  # fmt: skip
    assert 'CAST("annual_premium" AS DOUBLE)' in build_rows_query(catalog["policies"], {}, _quote).json_sql
    assert build_rows_query(catalog["postal_codes"], {}, _quote).json_sql == ""
