"""The generated OpenAPI document, fuzzed by schemathesis against the app: no 5xx, no schema violation."""

from __future__ import annotations

from pathlib import Path

import pytest
from dataplatform_common.testing import Tokens, fuzz_openapi, make_gold
from dataplatform_common.warehouse import DuckDBWarehouse
from exposition_api import create_app
from exposition_api.catalog import load_catalog


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory):
    tokens = Tokens(tmp_path_factory.mktemp("auth"), "exposition-api")
    gold = make_gold(tmp_path_factory.mktemp("gold"), rows=2_000)
    app = create_app(warehouse=DuckDBWarehouse(gold), verifier=tokens.verifier())
    return app, tokens.header("Data.Read.Restricted")


@pytest.mark.slow
def test_api_conforms_to_its_openapi_document(fuzz_target) -> None:
    app, headers = fuzz_target
    failures = fuzz_openapi(app, headers, max_examples=15, opaque_query=("cursor",))
    assert not failures, "\n".join(failures)


def test_document_has_one_path_per_dataset_operation(client, reader) -> None:
    spec = client.get("/openapi.json", headers=reader).json
    assert spec["openapi"].startswith("3.")
    for name in load_catalog():
        assert f"/v1/datasets/{name}/rows" in spec["paths"]
        assert f"/v1/datasets/{name}/aggregate" in spec["paths"]
    assert spec["paths"]["/healthz"]["get"]["security"] == []
    docs = client.get("/docs", headers=reader)
    assert docs.mimetype == "text/html" and b"/v1/datasets/claims/rows" in docs.data


def test_catalog_errors_name_dataset_and_fix(tmp_path: Path) -> None:
    from exposition_api.catalog import CatalogError

    bad = tmp_path / "catalog.yaml"
    bad.write_text("datasets:\n  x:\n    description: d\n    table: t\n    owner: o\n    classification: secret\n"
                   "    unique_key: [id]\n    columns: [{name: id, type: BIGINT}]\n")  # fmt: skip
    with pytest.raises(CatalogError, match="dataset 'x': classification must be one of"):
        load_catalog(bad)
