"""The serving format answers keyset pages with the very bytes (and ETags, cursors) the warehouse path writes,
on every dataset of the sample gold, in every format; a new gold version is picked up without a restart."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest
from dataplatform_common.testing import make_gold
from dataplatform_common.warehouse import DuckDBWarehouse
from exposition_api import create_app, formats
from exposition_api.catalog import load_catalog
from exposition_api.query import build_rows_query
from exposition_api.serving import ServingStore
from flask.testing import FlaskClient

CATALOG = load_catalog()
MAX_PAGES = 200


class Queries:
    """Counts the warehouse queries of each operation (the serving format must make no `rows` query)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def __call__(self, backend: str, operation: str, seconds: float) -> None:
        self.counts[operation] = self.counts.get(operation, 0) + 1


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory, gold_file: Path, tokens):
    """(format app, warehouse-only app, query counter of the format app), on the same gold file."""
    queries = Queries()
    served = create_app(warehouse=DuckDBWarehouse(gold_file, observe=queries), verifier=tokens.verifier(),
                        cache_entries=0, serving_dir=tmp_path_factory.mktemp("serving"),
                        serving_background=False)  # fmt: skip
    plain = create_app(warehouse=DuckDBWarehouse(gold_file), verifier=tokens.verifier(), cache_entries=0)
    plain.extensions.pop("serving")
    return served.test_client(), plain.test_client(), queries


def _key_filters(name: str, gold_file: Path) -> list[str]:
    """eq, in and range filters on the dataset's leading key column, with values from the data."""
    import duckdb

    dataset = CATALOG[name]
    lead = dataset.unique_key[0]
    with duckdb.connect(str(gold_file), read_only=True) as con:
        values = [str(r[0]) for r in con.execute(f'SELECT DISTINCT "{lead}" FROM "{dataset.table}" ORDER BY 1')
                  .fetchall()]  # fmt: skip
    low, mid, high = values[len(values) // 5], values[len(values) // 2], values[-3]
    filters = dataset.columns[lead].filters
    variants = []
    if "eq" in filters:
        variants.append(f"{lead}={mid}")
    if "in" in filters:
        extra = ",zz-none" if dataset.columns[lead].kind == "string" else ""  # a value that matches nothing
        variants.append(f"{lead}.in={high},{low},{mid}{extra}")
    if "range" in filters:
        variants.append(f"{lead}.gte={low}&{lead}.lt={mid}")
        variants.append(f"{lead}.gt={mid}&{lead}.lte={high}")
    return variants


def _variants(name: str, gold_file: Path) -> list[str]:
    columns = list(CATALOG[name].columns)
    return [
        "limit=1000",
        "limit=97",
        f"limit=141&fields={columns[-1]},{columns[0]}",
        f"limit=50&fields={columns[1]}",
        f"limit=45&sort={CATALOG[name].unique_key[0]}",
        *(f"limit=29&{f}" for f in _key_filters(name, gold_file)),
    ]


def _next_cursor(response) -> str | None:
    if response.mimetype == formats.JSON:
        return response.json["next_cursor"]
    return response.headers.get("X-Next-Cursor")


def _walk(served: FlaskClient, plain: FlaskClient, headers: dict[str, str], url: str) -> int:
    """Follow the cursors of both apps side by side; every page must be the same bytes. Returns the page count."""
    cursor, pages = None, 0
    while True:
        page_url = url + (f"&cursor={cursor}" if cursor else "")
        got, want = served.get(page_url, headers=headers), plain.get(page_url, headers=headers)
        assert want.status_code == 200, want.data
        assert got.data == want.data, page_url
        assert got.headers["ETag"] == want.headers["ETag"] and got.mimetype == want.mimetype
        assert got.headers.get("X-Next-Cursor") == want.headers.get("X-Next-Cursor")
        pages += 1
        cursor = _next_cursor(want)
        if cursor is None or pages >= MAX_PAGES:
            return pages


@pytest.mark.parametrize("media_type", formats.MEDIA_TYPES)
@pytest.mark.parametrize("name", sorted(CATALOG))
def test_every_page_is_byte_identical_to_the_warehouse_path(clients, reader, gold_file, name, media_type) -> None:
    served, plain, queries = clients
    headers = {**reader, "Accept": media_type, "Accept-Encoding": "identity"}
    before = queries.counts.get("rows", 0)
    pages = sum(_walk(served, plain, headers, f"/v1/datasets/{name}/rows?{v}") for v in _variants(name, gold_file))
    assert pages > len(_variants(name, gold_file))  # the walks went past first pages
    assert queries.counts.get("rows", 0) == before, "the serving format answered every page without a query"


def test_other_sorts_and_filters_fall_back_to_the_warehouse(clients, reader) -> None:
    served, plain, queries = clients
    for url in ("/v1/datasets/claims/rows?sort=-claim_id&limit=20", "/v1/datasets/claims/rows?status=OPEN&limit=20"):
        before = queries.counts.get("rows", 0)
        assert served.get(url, headers=reader).data == plain.get(url, headers=reader).data
        assert queries.counts["rows"] == before + 1


def test_format_parameter_selects_the_format_and_gzip_still_applies(clients, reader) -> None:
    served, plain, _ = clients
    url = "/v1/datasets/policies/rows?limit=100"
    as_csv = served.get(url + "&format=csv", headers={**reader, "Accept": "application/xml"})
    assert as_csv.mimetype == "text/csv"
    assert as_csv.data == plain.get(url, headers={**reader, "Accept": "text/csv"}).data
    zipped = served.get(url, headers={**reader, "Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    bad = served.get(url + "&format=xml", headers=reader)
    assert bad.status_code == 400 and bad.json["errors"][0]["path"] == "query.format"


def _pages(client: FlaskClient, headers: dict[str, str]) -> bytes:
    return client.get("/v1/datasets/claims/rows?limit=500&fields=claim_id,amount_eur", headers=headers).data


def test_a_new_gold_version_is_served_without_a_restart_and_never_mixed(gold_file, tmp_path, tokens) -> None:
    path = tmp_path / "gold.duckdb"
    shutil.copy(gold_file, path)
    serving_dir = tmp_path / "serving"
    warehouse = DuckDBWarehouse(path, recheck_seconds=0)
    client = create_app(warehouse=warehouse, verifier=tokens.verifier(), serving_dir=serving_dir,
                        serving_background=False).test_client()  # fmt: skip
    headers = tokens.header("Data.Read.Internal")
    first = _pages(client, headers)
    store: ServingStore = client.application.extensions["serving"]
    old_version = warehouse.published_version()
    old = store.get(CATALOG["claims"], old_version)
    assert old is not None and old.rows == 1_250

    make_gold(tmp_path / "v2", rows=2_000).replace(path)  # the pipeline publishes a smaller gold
    second = _pages(client, headers)
    new_version = warehouse.published_version()
    assert new_version != old_version
    fresh = DuckDBWarehouse(path)
    plain = create_app(warehouse=fresh, verifier=tokens.verifier(), cache_entries=0)
    plain.extensions.pop("serving")
    assert second == _pages(plain.test_client(), headers) != first
    assert store.get(CATALOG["claims"], new_version).rows == 500
    assert len([p for p in serving_dir.glob("claims-*") if p.is_dir()]) == 2
    # A page resolved on the old version reads only the old build, however many builds came after.
    query = build_rows_query(CATALOG["claims"], {"limit": ["500"], "fields": ["claim_id,amount_eur"]}, fresh.quote)
    assert old.page(query, formats.JSON).body == first


def test_a_build_that_sees_gold_change_is_discarded(gold_file, tmp_path) -> None:
    path = tmp_path / "gold.duckdb"
    shutil.copy(gold_file, path)
    warehouse = DuckDBWarehouse(path, recheck_seconds=0)
    store = ServingStore(tmp_path / "serving", warehouse, background=False)
    assert store.get(CATALOG["postal_codes"], "duckdb:some-older-version") is None
    assert not [p for p in (tmp_path / "serving").iterdir() if p.is_dir()]


def test_cursor_of_the_format_is_the_warehouse_cursor(clients, reader) -> None:
    served, _, _ = clients
    body = served.get("/v1/datasets/premiums_monthly/rows?limit=3", headers=reader).json
    spec, values = __import__("json").loads(base64.urlsafe_b64decode(body["next_cursor"] + "=="))
    assert spec == list(CATALOG["premiums_monthly"].unique_key)
    last = body["data"][-1]
    assert values == [last[name] for name in spec]


def test_the_first_use_of_a_version_builds_in_the_background_and_serves_from_the_warehouse_meanwhile(
    gold_file, tmp_path, tokens
) -> None:
    queries = Queries()
    app = create_app(warehouse=DuckDBWarehouse(gold_file, observe=queries), verifier=tokens.verifier(),
                     cache_entries=0, serving_dir=tmp_path / "serving")  # fmt: skip
    client, headers = app.test_client(), tokens.header("Data.Read.Public")
    url = "/v1/datasets/postal_codes/rows?limit=10"
    first = client.get(url, headers=headers)
    assert queries.counts["rows"] == 1  # not built yet: this page came from DuckDB
    app.extensions["serving"].wait()
    assert queries.counts.get("serving_build") == 1
    second = client.get(url, headers=headers)
    assert queries.counts["rows"] == 1 and second.data == first.data  # now from the format, the same bytes


def test_a_failed_build_falls_back_to_the_warehouse(gold_file, tmp_path, tokens) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the serving folder should be")
    app = create_app(warehouse=DuckDBWarehouse(gold_file), verifier=tokens.verifier(), cache_entries=0,
                     serving_dir=blocked, serving_background=False)  # fmt: skip
    headers = tokens.header("Data.Read.Public")
    response = app.test_client().get("/v1/datasets/postal_codes/rows?limit=3", headers=headers)
    assert response.status_code == 200 and response.json["count"] == 3
