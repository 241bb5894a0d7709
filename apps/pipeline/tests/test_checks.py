"""Great Expectations suites validated in SQL on a real DuckDB warehouse, and the row-count anomaly rule.

The tables are small but real (a DuckDB file with the silver and gold schemas the pipeline builds); GE runs
with its SqlAlchemyExecutionEngine through `duckdb+validation://`, as in the pipeline.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import duckdb_engine
import pytest
import sqlalchemy as sa
from reference_pipeline.checks.assets_checks import GE_CHECK, check_result, judge_row_count
from reference_pipeline.checks.expectations import PII_MASK, SAMPLE_SIZE, SqlTarget, validate_suites
from reference_pipeline.checks.suites import POSTAL_CODE, Suite, suites
from reference_pipeline.dbt_meta import pii_columns
from reference_pipeline.settings import DBT_PROJECT_DIR
from reference_pipeline.warehouse import DuckDBWarehouse

ROWS = 20_000  # large enough that reading a table into Python cannot hide under the sample bound
BAD_PHONES = 1_000  # every 20th customer


def _suite(schema: str, table: str) -> Suite:
    return next(s for s in suites() if s.schema == schema and s.table == table)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """silver.customers with duplicate ids and bad phones; clean silver.policies; gold.ref_postal_codes."""
    path = tmp_path_factory.mktemp("ge") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema silver; create schema gold")
        con.execute(f"""
            create table silver.customers as
            select 'CUS-' || lpad(cast(case when i = 1 then 0 else i end as varchar), 7, '0') as customer_id,
                   'a.b' || i || '@example.com' as email,
                   case when i % 20 = 0 then '06' || lpad(cast(i as varchar), 8, '0')
                        else '+3361234' || lpad(cast(i % 10000 as varchar), 4, '0') end as phone,
                   case when i = 7 then '7501' else '75001' end as postal_code,
                   date '1980-01-01' + cast(i % 5000 as integer) as birth_date
            from range({ROWS}) t(i)
        """)  # fmt: skip
        con.execute(f"""
            create table silver.policies as
            select 'POL-' || i as policy_id, 'AUTO' as product, 'ACTIVE' as status, 100.0 + i % 50 as annual_premium
            from range({ROWS}) t(i)
        """)  # fmt: skip
        con.execute("""
            create table gold.ref_postal_codes as
            select * from (values ('75001', 'IDF'), ('69003', 'ARA'), ('13001x', 'PAC')) v(postal_code, region)
        """)  # fmt: skip
    return path


@pytest.fixture
def fetched_rows(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The rows each statement hands to Python, counted at the DB-API boundary (every fetch of every cursor)."""
    counts: list[int] = []

    def counted(name: str):
        def fetch(self, *args):
            rows = getattr(self._CursorWrapper__c, name)(*args)
            counts.append(0 if rows is None else (1 if name == "fetchone" else len(rows)))
            return rows

        return fetch

    for name in ("fetchall", "fetchmany", "fetchone"):
        monkeypatch.setattr(duckdb_engine.CursorWrapper, name, counted(name), raising=False)
    yield counts


def _target(path: Path) -> SqlTarget:
    return DuckDBWarehouse(path=str(path)).sql_target()


def test_suites_run_in_sql_and_no_table_reaches_python(warehouse: Path, fetched_rows: list[int]) -> None:
    outcomes, _ = validate_suites(_target(warehouse), [_suite("silver", "customers"), _suite("silver", "policies")], {})
    assert {outcome.engine for outcome in outcomes} == {"SqlAlchemyExecutionEngine"}
    assert [outcome.rows for outcome in outcomes] == [ROWS, ROWS]  # GE counted every row, in the warehouse
    # What crossed into Python: aggregates, catalog rows and at most SAMPLE_SIZE failing values per query;
    # reading either table (pandas engine, SELECT *) would be ROWS rows in one fetch.
    assert fetched_rows and max(fetched_rows) <= SAMPLE_SIZE
    assert sum(fetched_rows) < ROWS // 10


def test_failed_expectations_carry_bounded_samples_and_mask_pii(warehouse: Path) -> None:
    pii = {"silver.customers": {"phone", "email", "birth_date"}}
    (outcome,) = validate_suites(_target(warehouse), [_suite("silver", "customers")], pii)[0]
    assert not outcome.success
    failed = {item.column: item for item in outcome.failed}
    assert set(failed) == {"customer_id", "phone", "postal_code"}
    assert failed["customer_id"].unexpected_count == 2 and failed["customer_id"].samples == ["CUS-0000000"] * 2
    assert failed["postal_code"].samples == ["7501"]  # not PII: the value itself
    phone = failed["phone"]
    assert phone.unexpected_count == BAD_PHONES
    assert phone.samples == [PII_MASK] * SAMPLE_SIZE  # PII: counted, never shown
    result = check_result(outcome, "/docs/index.html")
    assert result.check_name == GE_CHECK and not result.passed
    text = result.description or ""
    for part in ("silver.customers", "expect_column_values_to_match_regex", "phone", "fix:", "checks/suites.py"):
        assert part in text, f"{part!r} missing from {text!r}"
    assert "+33" not in text and "06" not in text.split("fix:")[0].replace("0.06", "")
    samples = {item["column"]: item["samples"] for item in result.metadata["failed_expectations"].value}  # type: ignore[union-attr]
    assert samples["postal_code"] == ["7501"] and set(samples["phone"]) == {PII_MASK}


def test_regex_expectations_hold_only_anchored_patterns(warehouse: Path) -> None:
    # GE compiles a regex expectation to PostgreSQL's `~`, which DuckDB evaluates as a SEARCH (Snowflake's
    # REGEXP_LIKE is a full match): only anchored patterns mean the same on both warehouses, and the suites'
    # patterns are anchored. Unanchored, '13001x' passes; anchored, it is the one unexpected value.
    def unexpected(regex: str) -> list[tuple[int | None, list[object]]]:
        check = ("ExpectColumnValuesToMatchRegex", {"column": "postal_code", "regex": regex})
        (outcome,) = validate_suites(_target(warehouse), [Suite("gold", "ref_postal_codes", (check,))], {})[0]
        return [(item.unexpected_count, item.samples) for item in outcome.outcomes]

    assert unexpected("[0-9]{5}") == [(0, [])]
    assert unexpected(POSTAL_CODE) == [(1, ["13001x"])]
    assert all(
        arguments["regex"].startswith("^") and arguments["regex"].endswith("$")
        for suite in suites()
        for kind, arguments in suite.expectations
        if kind == "ExpectColumnValuesToMatchRegex"
    )


def test_data_docs_index_links_every_suite(warehouse: Path, tmp_path: Path) -> None:
    (tmp_path / "docs" / "stale.html").parent.mkdir()
    (tmp_path / "docs" / "stale.html").write_text("last run")
    checked = [_suite("silver", "customers"), _suite("silver", "policies")]
    pii = {"silver.customers": {"phone"}}
    _, index = validate_suites(_target(warehouse), checked, pii, tmp_path / "docs")
    assert index == tmp_path / "docs" / "index.html" and index.exists()
    page = index.read_text(encoding="utf-8")
    for suite in checked:
        assert suite.name in page
    assert not (tmp_path / "docs" / "stale.html").exists()  # the site shows the last validation only
    rendered = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "docs" / "validations").rglob("*.html"))
    assert PII_MASK.replace("<", "&lt;") in rendered or PII_MASK in rendered
    assert "7501" in rendered  # the non-PII sample is in Data Docs
    assert "+3361234" not in rendered and "0600000020" not in rendered  # the PII samples are not


def test_the_warehouse_is_released_after_validation(warehouse: Path) -> None:
    validate_suites(_target(warehouse), [_suite("gold", "ref_postal_codes")], {})
    with duckdb.connect(str(warehouse)) as con:  # a writer again (DuckDB refuses it while a reader holds the file)
        assert con.execute("select count(*) from gold.ref_postal_codes").fetchone() == (3,)


def test_pii_columns_come_from_the_dbt_models() -> None:
    pii = pii_columns(json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8")))
    assert {"email", "phone", "birth_date"} <= pii["gold.customers"]
    assert {"email", "phone", "birth_date"} <= pii["silver.customers"]


def test_the_snowflake_target_uses_the_profile_key_pair() -> None:
    from reference_pipeline.warehouse import SnowflakeWarehouse

    target = SnowflakeWarehouse(
        account="acme-prod", user="PIPELINE", private_key_path="/k/rsa_key.p8", role="TRANSFORMER",
        warehouse="TRANSFORMING", database="ANALYTICS", reader_role="READER",
    ).sql_target()  # fmt: skip
    engine = sa.create_engine(target.url, **target.engine_kwargs)  # no connection is opened
    assert engine.dialect.name == "snowflake"
    assert engine.url.host == "acme-prod.snowflakecomputing.com" or "acme-prod" in str(engine.url)
    assert engine.url.query["warehouse"] == "TRANSFORMING" and engine.url.query["role"] == "TRANSFORMER"
    assert target.engine_kwargs["connect_args"] == {"private_key_file": "/k/rsa_key.p8"}
    assert target.schemas == {"silver": "silver", "gold": "gold_audit"}  # gold is judged before it is published


@pytest.mark.parametrize(
    ("current", "previous", "passed"),
    [(0, None, False), (10, None, True), (100, 100, True), (120, 100, True), (80, 100, False), (2000, 100, False)],
)
def test_row_count_anomaly_rule(current: int, previous: int | None, passed: bool) -> None:
    assert judge_row_count(current, previous)[0] is passed
