"""One catalog: the API's packaged default is the catalog generated from the dbt manifest, and the sample gold
(tests, load gate, bench, laptop) has exactly its tables, columns and types.

`apps/pipeline/tests/test_catalog_contract.py` compares catalogs/gold.yaml with the dbt manifest (pipelines venv);
these tests close the chain without dbt: dbt manifest = catalogs/gold.yaml = packaged catalog = sample gold.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb
from exposition_api.catalog import load_catalog

GENERATED = Path(__file__).resolve().parents[1] / "catalogs" / "gold.yaml"


def test_the_packaged_catalog_is_the_generated_one() -> None:
    packaged = resources.files("exposition_api").joinpath("catalog.yaml").read_text(encoding="utf-8")
    assert packaged == GENERATED.read_text(encoding="utf-8"), (
        "src/exposition_api/catalog.yaml differs from catalogs/gold.yaml: it must be the link to it "
        "(ln -sf ../../catalogs/gold.yaml apps/exposition-api/src/exposition_api/catalog.yaml)"
    )
    assert load_catalog() == load_catalog(GENERATED)


def test_the_sample_gold_has_the_catalogs_tables_columns_and_types(gold_file: Path) -> None:
    catalog = load_catalog()
    with duckdb.connect(str(gold_file), read_only=True) as con:
        for dataset in catalog.values():
            described = con.execute(f'SELECT column_name, column_type FROM (DESCRIBE "{dataset.table}")').fetchall()
            assert described == [(c.name, c.type) for c in dataset.columns.values()], dataset.name
            assert con.execute(f'SELECT count(*) FROM "{dataset.table}"').fetchone()[0] > 0, dataset.name
        refreshed = dict(con.execute("SELECT dataset, row_count FROM meta_refresh").fetchall())
    assert set(refreshed) == {dataset.table for dataset in catalog.values()}
