"""Dates to ISO 8601 (`YYYY-MM-DD`), reading the formats French producers send (day first)."""

from __future__ import annotations

import re
from datetime import date

from dataplatform_common.normalise.errors import NormalisationError

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: str | date) -> date:
    """Accept `2024-03-01`, `2024-03-01T10:00:00`, `01/03/2024`, `01.03.2024`, `01-03-2024`, `20240301`."""
    if isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        raise NormalisationError("required", "date is empty")
    if match := _ISO.match(text):
        year, month, day = match.groups()
    elif match := _DAY_FIRST.match(text):
        day, month, year = match.groups()
    elif match := _COMPACT.match(text):
        year, month, day = match.groups()
    else:
        raise NormalisationError("invalid_date", "unknown date format (use YYYY-MM-DD or DD/MM/YYYY)")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise NormalisationError("invalid_date", "not a calendar date (day or month out of range)") from None


def normalise_date(value: str | date, *, earliest: date | None = None, latest: date | None = None) -> str:
    """Return `YYYY-MM-DD`; optional bounds reject e.g. birth dates in the future."""
    parsed = parse_date(value)
    if earliest is not None and parsed < earliest:
        raise NormalisationError("date_out_of_range", f"date is before {earliest.isoformat()}")
    if latest is not None and parsed > latest:
        raise NormalisationError("date_out_of_range", f"date is after {latest.isoformat()}")
    return parsed.isoformat()
