"""Batch enrichment without HTTP: validate and normalise each record, find in-batch duplicates, add
gold reference data. Every input record comes back, in input order, whatever happens to it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from dataplatform_common.normalise import ENTITIES, FieldError, PostalInfo, match_key, normalise_record
from dataplatform_common.normalise.errors import NormalisationError

OK, INVALID = "ok", "invalid"


class ReferenceData(Protocol):
    """Gold reference data the enrichment reads (warehouse-backed in the app, in-memory in tests)."""

    def postal(self, postal_code: str) -> PostalInfo: ...

    def customers_by_email(self, emails: Sequence[str]) -> dict[str, str]: ...

    def policies_by_id(self, policy_ids: Sequence[str]) -> dict[str, dict[str, Any]]: ...


@dataclass(slots=True)
class EnrichedRecord:
    index: int
    status: str
    errors: list[dict[str, str]]
    output: dict[str, Any]
    duplicate_of: int | None = None
    match_keys: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": self.status,
            "errors": self.errors,
            "output": self.output,
            "duplicate_of": self.duplicate_of,
            "match_keys": self.match_keys,
        }


def _match_keys(entity: str, output: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key name, key value) pairs identifying the same real-world record within a batch."""
    keys: list[tuple[str, str]] = []
    if output.get("external_id"):
        keys.append(("external_id", output["external_id"]))
    if entity == "customer":
        if output.get("email"):
            keys.append(("email", output["email"]))
        if output.get("phone"):
            keys.append(("phone", output["phone"]))
        if output.get("birth_date"):
            name = f"{match_key(output['last_name'])}|{match_key(output['first_name'])}|{output['birth_date']}"
            keys.append(("name_birth_date", name))
    elif entity == "claim":
        keys.append(("policy_date_amount", f"{output['policy_id']}|{output['claim_date']}|{output['amount_eur']}"))
    return keys


def _add_postal(output: dict[str, Any], reference: ReferenceData, errors: list[FieldError]) -> None:
    code = output.get("postal_code")
    info = None
    if code:
        try:
            info = reference.postal(code)
        except NormalisationError as error:
            errors.append(FieldError("postal_code", error.code, error.message))
    for key in ("commune", "department_code", "department", "region_code", "region"):
        output[key] = getattr(info, key) if info else None


def enrich_batch(entity: str, records: Sequence[Any], reference: ReferenceData) -> list[EnrichedRecord]:
    """Process one batch. A record that is not a JSON object is reported invalid, never dropped."""
    rules = ENTITIES[entity]
    results: list[EnrichedRecord] = []
    normalised: list[tuple[dict[str, Any], list[FieldError]] | None] = []
    for record in records:
        if not isinstance(record, Mapping):
            normalised.append(None)
            continue
        outcome = normalise_record(record, rules)
        _add_postal(outcome.output, reference, outcome.errors)
        normalised.append((outcome.output, outcome.errors))

    valid = [item[0] for item in normalised if item is not None and not item[1]]
    if entity == "customer":
        known = reference.customers_by_email(sorted({o["email"] for o in valid if o.get("email")}))
        for output in valid:
            output["customer_id"] = known.get(output["email"]) if output.get("email") else None
    policies = reference.policies_by_id(sorted({o["policy_id"] for o in valid})) if entity == "claim" else {}

    first_seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(normalised):
        if item is None:
            error = {"field": "", "code": "invalid_type", "message": "a record must be a JSON object"}
            results.append(EnrichedRecord(index, INVALID, [error], {}))
            continue
        output, errors = item
        if entity == "claim" and not errors:
            policy = policies.get(output["policy_id"])
            if policy is None:
                errors.append(FieldError("policy_id", "unknown_policy", "no policy with this id in the gold layer"))
            else:
                output["policy"] = policy
        if errors:
            results.append(EnrichedRecord(index, INVALID, [e.as_dict() for e in errors], output))
            continue
        enriched = EnrichedRecord(index, OK, [], output)
        keys = _match_keys(entity, output)
        matches = [(name, first_seen[(name, value)]) for name, value in keys if (name, value) in first_seen]
        canonical = index
        if matches:
            canonical = min(seen for _, seen in matches)
            enriched.duplicate_of = canonical
            enriched.match_keys = [name for name, seen in matches if seen == canonical]
        for key in keys:
            first_seen.setdefault(key, canonical)
        results.append(enriched)
    return results
