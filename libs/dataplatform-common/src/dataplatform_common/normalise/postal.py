"""French postal code -> commune, department and region.

The department and region follow from the code itself (La Poste numbering); the commune needs a
reference table: by default the packaged `data/fr_postal_codes.csv`, or the gold table
`ref_postal_codes` (`PostalReference.from_rows`), which the sample gold generator fills from the same file.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from dataplatform_common.geography import DEPARTMENTS, REGIONS, department_of_postal_code
from dataplatform_common.normalise.errors import NormalisationError

_DIGITS = re.compile(r"^\d{4,5}$")
_MAX_RESOLVED = 50_000


@dataclass(frozen=True, slots=True)
class PostalInfo:
    postal_code: str
    commune: str | None  # None when the code is valid but not in the reference table
    department_code: str
    department: str
    region_code: str
    region: str

    def as_dict(self) -> dict[str, str | None]:
        return {
            "postal_code": self.postal_code,
            "commune": self.commune,
            "department_code": self.department_code,
            "department": self.department,
            "region_code": self.region_code,
            "region": self.region,
        }


def normalise_postal_code(value: str | int) -> str:
    """`"75 001"`, `"1000"` (leading zero lost by a spreadsheet), `1000` -> 5 digits, or NormalisationError."""
    text = str(value).replace(" ", "").strip()
    if not _DIGITS.match(text):
        raise NormalisationError("invalid_postal_code", "a French postal code has 5 digits")
    text = text.zfill(5)
    if department_of_postal_code(text) is None:
        raise NormalisationError("invalid_postal_code", "postal code belongs to no French department")
    return text


class PostalReference:
    """Postal code -> communes, built once and shared (lookups are dictionary reads)."""

    def __init__(self, communes_by_code: dict[str, tuple[str, ...]]) -> None:
        self._communes = communes_by_code
        # Resolved codes, by the exact value asked for (usually the already-normalised 5 digits). Bounded: only
        # valid codes are stored (France has about 6,000), under at most _MAX_RESOLVED spellings.
        self._resolved: dict[str | int, PostalInfo] = {}

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str]]) -> PostalReference:
        """Rows of (postal_code, commune), e.g. `SELECT postal_code, commune FROM ref_postal_codes`."""
        grouped: dict[str, list[str]] = {}
        for postal_code, commune in rows:
            grouped.setdefault(str(postal_code).zfill(5), []).append(commune)
        return cls({code: tuple(sorted(set(names))) for code, names in grouped.items()})

    @classmethod
    def packaged(cls) -> PostalReference:
        return _packaged_reference()

    def __len__(self) -> int:
        return len(self._communes)

    def rows(self) -> list[tuple[str, str]]:
        return [(code, name) for code, names in sorted(self._communes.items()) for name in names]

    def lookup(self, value: str | int) -> PostalInfo:
        """Normalise `value` and resolve it; raises NormalisationError when the code is invalid."""
        resolved = self._resolved.get(value)
        if resolved is not None:
            return resolved
        info = self._resolve(value)
        if len(self._resolved) < _MAX_RESOLVED:
            self._resolved[value] = info
        return info

    def _resolve(self, value: str | int) -> PostalInfo:
        postal_code = normalise_postal_code(value)
        department_code = department_of_postal_code(postal_code)
        assert department_code is not None  # normalise_postal_code guarantees it
        department = DEPARTMENTS[department_code]
        communes = self._communes.get(postal_code)
        return PostalInfo(
            postal_code=postal_code,
            commune=communes[0] if communes else None,
            department_code=department_code,
            department=department.name,
            region_code=department.region_code,
            region=REGIONS[department.region_code],
        )


def packaged_reference_rows() -> list[tuple[str, str]]:
    """The packaged reference table as (postal_code, commune) rows."""
    with resources.files("dataplatform_common").joinpath("data/fr_postal_codes.csv").open(encoding="utf-8") as f:
        return [(row["postal_code"], row["commune"]) for row in csv.DictReader(f)]


@cache
def _packaged_reference() -> PostalReference:
    return PostalReference.from_rows(packaged_reference_rows())
