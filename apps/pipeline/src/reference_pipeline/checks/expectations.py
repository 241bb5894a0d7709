"""Run a Great Expectations suite on a warehouse table, in an ephemeral (in-memory, offline) GX context."""

from __future__ import annotations

import copy
import os
from datetime import date

import pandas as pd

from reference_pipeline.checks.outcomes import ExpectationOutcome, SuiteOutcome
from reference_pipeline.checks.suites import Suite

__all__ = ["ExpectationOutcome", "SuiteOutcome", "validate"]

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def _dates_as_timestamps(frame: pd.DataFrame) -> pd.DataFrame:
    """Date and datetime columns as nanosecond pandas timestamps, so range expectations compare datetimes.

    Nanoseconds, because Great Expectations checks a range on `datetime64[ns]` columns with one vectorised
    comparison and on any other resolution (pandas 3 and DuckDB give microseconds or seconds) value by value.
    """
    converted = frame.copy()
    for column in converted.columns:
        values = converted[column].dropna()
        if converted[column].dtype == object and not values.empty and isinstance(values.iloc[0], date):
            converted[column] = pd.to_datetime(converted[column])
        if pd.api.types.is_datetime64_dtype(converted[column].dtype):
            converted[column] = converted[column].astype("datetime64[ns]")
    return converted


def validate(suite: Suite, frame: pd.DataFrame) -> SuiteOutcome:
    """Validate `frame` (the table's checked columns) against `suite`."""
    import great_expectations as gx

    frame = _dates_as_timestamps(frame)
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # no progress bars in run logs
    source = context.data_sources.add_pandas(name="warehouse")
    asset = source.add_dataframe_asset(name=suite.name)
    batch = asset.add_batch_definition_whole_dataframe("whole_table").get_batch(batch_parameters={"dataframe": frame})
    expectations = [copy.copy(expectation) for expectation in suite.expectations]  # GX binds them to one suite
    gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name, expectations=expectations))
    result = batch.validate(gx_suite)
    outcomes = [
        ExpectationOutcome(
            expectation=item.expectation_config.type,
            column=item.expectation_config.kwargs.get("column"),
            success=bool(item.success),
            unexpected_count=item.result.get("unexpected_count"),
        )
        for item in result.results
    ]
    return SuiteOutcome(suite=suite.name, success=bool(result.success), rows=len(frame), outcomes=outcomes)
