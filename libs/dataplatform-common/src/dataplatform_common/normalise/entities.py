"""The entities producers send to the enrichment API and the pipeline cleans in silver: one rule per field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from dataplatform_common.normalise.dates import normalise_date
from dataplatform_common.normalise.email import normalise_email
from dataplatform_common.normalise.errors import NormalisationError
from dataplatform_common.normalise.phone import normalise_phone
from dataplatform_common.normalise.postal import normalise_postal_code
from dataplatform_common.normalise.records import FieldRule
from dataplatform_common.normalise.text import clean_text


def _text(case: str, max_length: int) -> Any:
    def rule(value: Any) -> str:
        text = clean_text(str(value), case)  # type: ignore[arg-type]
        if len(text) > max_length:
            raise NormalisationError("too_long", f"longer than {max_length} characters")
        return text

    return rule


def _birth_date(value: Any) -> str:
    return normalise_date(str(value), earliest=date(1900, 1, 1), latest=date.today())


def _amount(value: Any) -> str:
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise NormalisationError("invalid_amount", "not a number (use 1234.56)") from None
    if not amount.is_finite() or amount < 0:
        raise NormalisationError("invalid_amount", "amount must be a finite number >= 0")
    if amount >= Decimal("1e12"):
        raise NormalisationError("invalid_amount", "amount must be below 10^12")
    return str(amount.quantize(Decimal("0.01")))


CUSTOMER: tuple[FieldRule, ...] = (
    FieldRule("external_id", _text("keep", 64), description="the producer's own identifier", example="CRM-00042"),
    FieldRule("first_name", _text("title", 100), required=True, example="jean-pierre"),
    FieldRule("last_name", _text("upper", 100), required=True, example="dupont"),
    FieldRule("email", normalise_email, example=" Jean.Dupont@Example.COM "),
    FieldRule("phone", partial(normalise_phone, default_region="FR"), example="06 12 34 56 78"),
    FieldRule("birth_date", _birth_date, example="01/03/1980"),
    FieldRule("postal_code", normalise_postal_code, example="75001"),
    FieldRule("address", _text("keep", 200), example="12  rue de la Paix"),
)

CLAIM: tuple[FieldRule, ...] = (
    FieldRule("external_id", _text("keep", 64), example="CLM-2024-0001"),
    FieldRule("policy_id", _text("upper", 32), required=True, example="POL-0000042"),
    FieldRule("claim_date", partial(normalise_date, earliest=date(1990, 1, 1)), required=True, example="2024-03-01"),
    FieldRule("amount_eur", _amount, required=True, example="1 234,50"),
    FieldRule("postal_code", normalise_postal_code, example="69003"),
    FieldRule("description", _text("keep", 500), example="water damage"),
)

ENTITIES: dict[str, tuple[FieldRule, ...]] = {"customer": CUSTOMER, "claim": CLAIM}
