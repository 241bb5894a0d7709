"""Property: whatever the batch holds, every input record comes back once, in input order."""

from __future__ import annotations

from dataplatform_common.normalise import CUSTOMER, PostalReference
from enrichment_api.enrich import enrich_batch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIELD_NAMES = [rule.name for rule in CUSTOMER] + ["unexpected"]
values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30),
    st.sampled_from(["06 12 34 56 78", "a@b.fr", "75001", "2A004", "01/02/2003", "  "]),
    st.lists(st.integers(), max_size=2),
)  # fmt: skip
records = st.one_of(
    st.dictionaries(st.sampled_from(FIELD_NAMES), values, max_size=8),
    st.dictionaries(st.text(max_size=5), values, max_size=3),
    values,
)


class MemoryReference:
    """The packaged reference data, without a warehouse (the property is about the batch logic)."""

    postal_reference = PostalReference.packaged()

    def postal(self, postal_code: str):
        return self.postal_reference.lookup(postal_code)

    def customers_by_email(self, emails):
        return {email: i for i, email in enumerate(emails) if i % 2}

    def policies_by_id(self, policy_ids):
        return {}


@given(batch=st.lists(records, max_size=60))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_record_returned_once_in_order(batch: list) -> None:
    results = enrich_batch("customer", batch, MemoryReference())
    assert [r.index for r in results] == list(range(len(batch)))
    for result in results:
        assert result.status in ("ok", "invalid")
        assert (result.status == "ok") == (not result.errors)
        if result.duplicate_of is not None:
            assert result.duplicate_of < result.index and result.match_keys


def test_documented_example(client, producer) -> None:
    response = client.post("/v1/enrich/customer", headers=producer,
                           json={"records": [{"first_name": "a", "last_name": "b"}, "x", None]})  # fmt: skip
    assert [r["index"] for r in response.json["results"]] == [0, 1, 2]
