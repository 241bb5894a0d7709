"""What a suite validation found, as plain data (no Great Expectations import), and how it reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FIX = (
    "fix: correct the rows upstream (the samples and Data Docs show them) or, if the rule is wrong, the suite "
    "in src/reference_pipeline/checks/suites.py"
)


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    samples: list[Any] = field(default_factory=list)  # at most SAMPLE_SIZE failing values, PII masked
    error: str | None = None  # the expectation could not be evaluated

    def as_dict(self) -> dict[str, Any]:
        return {
            "expectation": self.expectation,
            "column": self.column,
            "success": self.success,
            "unexpected_count": self.unexpected_count,
            "unexpected_percent": self.unexpected_percent,
            "samples": self.samples,
            "error": self.error,
        }

    def describe(self) -> str:
        what = f"{self.expectation} on {self.column or 'the table'}"
        if self.error:
            return f"{what} could not be evaluated: {self.error}"
        share = f" ({self.unexpected_percent:.2f} %)" if self.unexpected_percent is not None else ""
        samples = f", e.g. {', '.join(map(str, self.samples[:5]))}" if self.samples else ""
        return f"{what}: {self.unexpected_count} unexpected values{share}{samples}"


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    table: str  # layer.table, as the asset key names it
    success: bool
    rows: int | None
    engine: str  # the GE execution engine that computed the metrics
    outcomes: list[ExpectationOutcome]

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success]

    def describe(self) -> str:
        """One line for the check's description: what failed where, and the fix."""
        if self.success:
            return f"{self.table}: suite {self.suite} passed ({len(self.outcomes)} expectations, {self.rows} rows)"
        failed = "; ".join(outcome.describe() for outcome in self.failed)
        return f"{self.table}: suite {self.suite} failed: {failed}. {FIX}"
