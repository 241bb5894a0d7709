"""Record-level normalisation: apply one rule per field, collect every field error, never raise.

An entity is a tuple of FieldRule; `normalise_record` returns the cleaned record and the errors of the
fields that could not be cleaned. Unknown input fields are reported, not silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dataplatform_common.normalise.errors import NormalisationError

Normaliser = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class FieldRule:
    name: str
    normalise: Normaliser
    required: bool = False
    description: str = ""
    example: str = ""


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass(slots=True)
class RecordResult:
    output: dict[str, Any]
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def normalise_record(record: Mapping[str, Any], rules: tuple[FieldRule, ...]) -> RecordResult:
    """Normalise every field of `record` with its rule; blank optional fields become None."""
    result = RecordResult(output={})
    known = set()
    for rule in rules:
        known.add(rule.name)
        value = record.get(rule.name)
        if _is_blank(value):
            result.output[rule.name] = None
            if rule.required:
                result.errors.append(FieldError(rule.name, "required", f"{rule.name} is required"))
            continue
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            result.output[rule.name] = None
            result.errors.append(FieldError(rule.name, "invalid_type", f"{rule.name} must be a string or a number"))
            continue
        try:
            result.output[rule.name] = rule.normalise(value if isinstance(value, str) else str(value))
        except NormalisationError as error:
            result.output[rule.name] = None
            result.errors.append(FieldError(rule.name, error.code, error.message))
    for name in record:
        if name not in known:
            result.errors.append(FieldError(str(name), "unknown_field", f"{name} is not a field of this entity"))
    return result
