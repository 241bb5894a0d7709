"""Validate the Great Expectations suites on the warehouse, in SQL (GE's SqlAlchemyExecutionEngine).

Every metric (row counts, unexpected counts, uniqueness, regex matches) is a query the warehouse answers: the
local DuckDB file through `duckdb+validation://` (`checks/duckdb_dialect.py`), Snowflake through
snowflake-sqlalchemy with the dbt profile's key pair. No table is read into Python: what comes back are
aggregates and, for a failed expectation, at most `SAMPLE_SIZE` failing values (GE's SUMMARY result format,
a `LIMIT` query). Samples of columns the dbt models mark `meta.pii: true` are replaced by `PII_MASK` before
they are stored, rendered or logged: a hash of an e-mail, a phone number or a birth date is easily reversed,
so only the counts are kept.

The results feed the Dagster asset checks (`checks/assets_checks.py`) and Data Docs (`checks/data_docs.py`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reference_pipeline.checks.outcomes import ExpectationOutcome, SuiteOutcome
from reference_pipeline.checks.suites import Suite

__all__ = ["PII_MASK", "SAMPLE_SIZE", "ExpectationOutcome", "SqlTarget", "SuiteOutcome", "validate_suites"]

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

SAMPLE_SIZE = 20
PII_MASK = "<pii>"
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}


@dataclass(frozen=True)
class SqlTarget:
    """Where GE runs its SQL: a SQLAlchemy URL, `create_engine` arguments, the warehouse schema of each layer."""

    url: str
    schemas: Mapping[str, str]
    engine_kwargs: Mapping[str, Any] = field(default_factory=dict)


def _masked(result: Any, pii_columns: Iterable[str]) -> None:
    """Replace the sampled values of PII columns in a GX validation result (in place), keeping the counts."""
    pii = {column.lower() for column in pii_columns}
    for item in result.results:
        column = item.expectation_config.kwargs.get("column")
        if column is None or column.lower() not in pii:
            continue
        values = item.result.get("partial_unexpected_list")
        if values is not None:
            item.result["partial_unexpected_list"] = [PII_MASK] * len(values)
        counts = item.result.get("partial_unexpected_counts")
        if counts is not None:
            item.result["partial_unexpected_counts"] = [{"value": PII_MASK, "count": sum(c["count"] for c in counts)}]


def _error(exception_info: Mapping[str, Any]) -> str | None:
    """The message of an expectation GX could not evaluate (its info is flat, or keyed by metric)."""
    if "raised_exception" in exception_info:
        return exception_info.get("exception_message") if exception_info["raised_exception"] else None
    messages = [info.get("exception_message") for info in exception_info.values() if isinstance(info, dict)]
    return next((message for message in messages if message), None)


def _outcome(suite: Suite, table: str, result: Any, engine: str) -> SuiteOutcome:
    outcomes = [
        ExpectationOutcome(
            expectation=item.expectation_config.type,
            column=item.expectation_config.kwargs.get("column")
            or ",".join(item.expectation_config.kwargs.get("column_list") or []),
            success=bool(item.success),
            unexpected_count=item.result.get("unexpected_count"),
            unexpected_percent=item.result.get("unexpected_percent"),
            samples=[_plain(value) for value in item.result.get("partial_unexpected_list") or []],
            error=_error(item.exception_info or {}),
        )
        for item in result.results
    ]
    rows = next((item.result["element_count"] for item in result.results if "element_count" in item.result), None)
    return SuiteOutcome(
        suite=suite.name, table=table, success=bool(result.success), rows=rows, engine=engine, outcomes=outcomes
    )


def _plain(value: Any) -> Any:
    """A JSON-friendly sample (dates and decimals as text)."""
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def validate_suites(
    target: SqlTarget,
    suites: Sequence[Suite],
    pii_columns: Mapping[str, Iterable[str]],
    docs_dir: Path | None = None,
) -> tuple[list[SuiteOutcome], Path | None]:
    """Validate every suite on its table in the warehouse; build Data Docs into `docs_dir` (index path returned).

    `pii_columns` maps a suite's table (`layer.table`) to the columns whose samples are masked.
    """
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    import reference_pipeline.checks.duckdb_dialect  # noqa: F401  (registers duckdb+validation://)
    from reference_pipeline.checks import data_docs

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # no progress bars in run logs
    if docs_dir is not None:
        context.add_data_docs_site(site_name=data_docs.SITE, site_config=data_docs.site_config(docs_dir))
    source = context.data_sources.add_sql(
        name="warehouse", connection_string=target.url, kwargs=dict(target.engine_kwargs)
    )
    now = datetime.now(UTC)
    run_id = RunIdentifier(run_name=f"pipeline-{now:%Y%m%dT%H%M%S}", run_time=now)
    engines = [source.get_engine()]
    outcomes: list[SuiteOutcome] = []
    try:
        for suite in suites:
            table = f"{suite.schema}.{suite.table}"
            asset = source.add_table_asset(
                name=suite.name, table_name=suite.table, schema_name=target.schemas[suite.schema]
            )
            batch = asset.add_batch_definition_whole_table("whole_table").get_batch()
            engine = batch.data.execution_engine
            engines.append(engine.engine)
            gx_suite = context.suites.add(suite.build())
            result = batch.validate(
                gx_suite, result_format=RESULT_FORMAT, expectation_parameters={"now": now.replace(tzinfo=None)}
            )
            _masked(result, pii_columns.get(table, ()))
            result.meta["run_id"] = run_id
            result.meta["validation_time"] = now
            suite_id = ExpectationSuiteIdentifier(name=suite.name)
            context.validation_results_store.store_validation_results(
                suite_validation_result=result,
                suite_validation_result_identifier=ValidationResultIdentifier(
                    expectation_suite_identifier=suite_id, run_id=run_id, batch_identifier=batch.id
                ),
                expectation_suite_identifier=suite_id,
            )
            outcomes.append(_outcome(suite, table, result, type(engine).__name__))
    finally:
        for sql_engine in engines:  # release the warehouse (the DuckDB file has one writer across connections)
            sql_engine.dispose()
    index = None
    if docs_dir is not None:
        data_docs.reset(docs_dir)
        context.build_data_docs(site_names=[data_docs.SITE])
        index = docs_dir / "index.html"
    return outcomes, index
