"""What a suite validation found, as plain data (no Great Expectations import).

Its own module because the GE worker (`ge_worker.py`) sends these to the dbt process: unpickling them there
imports only this module, where importing `expectations.py` would import Great Expectations (~4 s of CPU)
in the dbt process, the very cost the worker is there to keep out of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "expectation": self.expectation,
            "column": self.column,
            "success": self.success,
            "unexpected_count": self.unexpected_count,
        }


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    success: bool
    rows: int
    outcomes: list[ExpectationOutcome]

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success]
