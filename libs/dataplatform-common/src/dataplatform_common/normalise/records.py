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
    output: dict[str, Any] = {}
    errors: list[FieldError] = []
    for rule in rules:
        name = rule.name
        value = record.get(name)
        if type(value) is not str:  # the common case (a non-blank string) skips these checks
            if value is None:
                output[name] = None
                if rule.required:
                    errors.append(FieldError(name, "required", f"{name} is required"))
                continue
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                output[name] = None
                errors.append(FieldError(name, "invalid_type", f"{name} must be a string or a number"))
                continue
            value = value if isinstance(value, str) else str(value)
        if not value.strip():
            output[name] = None
            if rule.required:
                errors.append(FieldError(name, "required", f"{name} is required"))
            continue
        try:
            output[name] = rule.normalise(value)
        except NormalisationError as error:
            output[name] = None
            errors.append(FieldError(name, error.code, error.message))
    if any(name not in output for name in record):  # output holds exactly the entity's field names
        errors.extend(
            FieldError(str(name), "unknown_field", f"{name} is not a field of this entity")
            for name in record
            if name not in output
        )
    return RecordResult(output, errors)
