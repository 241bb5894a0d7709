"""The generated OpenAPI document, fuzzed by schemathesis against the app: no 5xx, no schema violation."""

from __future__ import annotations

import pytest
from dataplatform_common.testing import fuzz_openapi


@pytest.mark.slow
def test_api_conforms_to_its_openapi_document(app, tokens) -> None:
    failures = fuzz_openapi(app, tokens.header("Enrichment.Run"), max_examples=25)
    assert not failures, "\n".join(failures)


def test_document_lists_every_entity(client, producer) -> None:
    spec = client.get("/openapi.json", headers=producer).json
    assert {"/v1/enrich/customer", "/v1/enrich/claim"} <= set(spec["paths"])
    assert spec["components"]["schemas"]["CustomerBatch"]["properties"]["records"]["maxItems"] == 1000
