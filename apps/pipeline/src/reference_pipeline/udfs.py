"""The enrichment API's normalisation rules as scalar SQL functions for the silver layer.

Thin adapters over `dataplatform_common.normalise` (the shared code, not a copy): a rule is looked up
by entity and field in `ENTITIES`, exactly as the enrichment API applies it, and its outcome is split
into two SQL-friendly functions: the canonical value (NULL when the value cannot be cleaned) and the
error code (NULL when it can). DuckDB registers them through the dbt-duckdb plugin
`reference_pipeline.dbt_udfs`; Snowflake through the Python UDFs of the macro `create_normalisation_udfs`.
"""

from __future__ import annotations

from functools import cache

from dataplatform_common.normalise import ENTITIES, FieldRule, NormalisationError
from dataplatform_common.normalise.postal import PostalReference

POSTAL_ATTRIBUTES = ("commune", "department_code", "department", "region_code", "region")


@cache
def _rule(entity: str, field: str) -> FieldRule:
    rules = ENTITIES.get(entity)
    if rules is None:
        raise ValueError(f"unknown entity {entity!r}: use one of {', '.join(sorted(ENTITIES))}")
    for rule in rules:
        if rule.name == field:
            return rule
    raise ValueError(f"entity {entity!r} has no field {field!r}: use one of {', '.join(r.name for r in rules)}")


def normalise_value(entity: str, field: str, value: str | None) -> str | None:
    """The canonical form of `value`, or None when it is blank or no rule can clean it."""
    if value is None or not str(value).strip():
        return None
    try:
        return str(_rule(entity, field).normalise(value))
    except NormalisationError:
        return None


def normalise_error(entity: str, field: str, value: str | None) -> str | None:
    """The rule's error code for `value` (e.g. `invalid_email`), or None when it is valid or blank."""
    if value is None or not str(value).strip():
        return None
    try:
        _rule(entity, field).normalise(value)
    except NormalisationError as error:
        return error.code
    return None


def postal_attribute(postal_code: str | None, attribute: str) -> str | None:
    """Department/region (from the code itself) or commune (packaged table) of a French postal code."""
    if attribute not in POSTAL_ATTRIBUTES:
        raise ValueError(f"unknown postal attribute {attribute!r}: use one of {', '.join(POSTAL_ATTRIBUTES)}")
    if postal_code is None:
        return None
    try:
        info = PostalReference.packaged().lookup(postal_code)
    except NormalisationError:
        return None
    return getattr(info, attribute)
