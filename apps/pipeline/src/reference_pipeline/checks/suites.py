"""Great Expectations suites, one per checked table, declared as data (table -> expectations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import great_expectations.expectations as gxe

EMAIL = r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9.-]+\.[a-z]{2,63}$"
E164 = r"^\+[1-9][0-9]{6,14}$"
POSTAL_CODE = r"^[0-9]{5}$"
PRODUCTS = ["AUTO", "HOME", "HEALTH", "LIFE"]
POLICY_STATUSES = ["ACTIVE", "CANCELLED", "LAPSED"]
CLAIM_STATUSES = ["OPEN", "SETTLED", "REJECTED"]


@dataclass(frozen=True)
class Suite:
    """Expectations on one warehouse table (`schema.table`); `columns` are read for validation."""

    schema: str
    table: str
    expectations: list[Any] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.schema}_{self.table}"

    @property
    def columns(self) -> list[str]:
        names: list[str] = []
        for expectation in self.expectations:
            for attribute in ("column", "column_A", "column_B"):
                value = getattr(expectation, attribute, None)
                if value and value not in names:
                    names.append(value)
            for value in getattr(expectation, "column_list", None) or []:
                if value not in names:
                    names.append(value)
        return names


def suites() -> list[Suite]:
    """The suites; built on each call because GE expectation objects are mutable."""
    now = datetime.now()
    return [
        Suite(
            "silver",
            "customers",
            [
                gxe.ExpectColumnValuesToBeUnique(column="customer_id"),
                gxe.ExpectColumnValuesToNotBeNull(column="customer_id"),
                gxe.ExpectColumnValuesToMatchRegex(column="email", regex=EMAIL),
                gxe.ExpectColumnValuesToMatchRegex(column="phone", regex=E164),
                gxe.ExpectColumnValuesToMatchRegex(column="postal_code", regex=POSTAL_CODE),
                gxe.ExpectColumnValuesToBeBetween(column="birth_date", min_value=datetime(1900, 1, 1), max_value=now),
                # Bad e-mails are emptied, not kept: at most 10% of customers may lack one.
                gxe.ExpectColumnValuesToNotBeNull(column="email", mostly=0.9),
            ],
        ),
        Suite(
            "silver",
            "policies",
            [
                gxe.ExpectColumnValuesToBeUnique(column="policy_id"),
                gxe.ExpectColumnValuesToBeInSet(column="product", value_set=PRODUCTS),
                gxe.ExpectColumnValuesToBeInSet(column="status", value_set=POLICY_STATUSES),
                gxe.ExpectColumnValuesToBeBetween(column="annual_premium", min_value=0, max_value=100_000),
            ],
        ),
        Suite(
            "silver",
            "claims",
            [
                gxe.ExpectColumnValuesToBeUnique(column="claim_id"),
                gxe.ExpectColumnValuesToBeInSet(column="status", value_set=CLAIM_STATUSES),
                gxe.ExpectColumnValuesToBeBetween(column="amount_eur", min_value=0, max_value=10_000_000),
                gxe.ExpectColumnValuesToNotBeNull(column="claim_date", mostly=0.99),
            ],
        ),
        Suite(
            "gold",
            "customers",
            [
                gxe.ExpectColumnValuesToBeUnique(column="customer_id"),
                gxe.ExpectColumnValuesToBeBetween(column="policies_count", min_value=0),
                gxe.ExpectColumnValuesToMatchRegex(column="email", regex=EMAIL),
            ],
        ),
        Suite(
            "gold",
            "policies",
            [
                gxe.ExpectColumnValuesToBeUnique(column="policy_id"),
                gxe.ExpectColumnValuesToNotBeNull(column="customer_id"),
                gxe.ExpectColumnValuesToBeInSet(column="product", value_set=PRODUCTS),
            ],
        ),
        Suite(
            "gold",
            "claims",
            [
                gxe.ExpectColumnValuesToBeUnique(column="claim_id"),
                gxe.ExpectColumnValuesToBeBetween(column="amount_eur", min_value=0),
                gxe.ExpectColumnValuesToNotBeNull(column="claim_date"),
            ],
        ),
        Suite(
            "gold",
            "premiums_monthly",
            [
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["month", "product"]),
                gxe.ExpectColumnValuesToBeBetween(column="payment_rate", min_value=0, max_value=1),
            ],
        ),
        Suite(
            "gold",
            "ref_postal_codes",
            [
                gxe.ExpectColumnValuesToBeUnique(column="postal_code"),
                gxe.ExpectColumnValuesToMatchRegex(column="postal_code", regex=POSTAL_CODE),
                gxe.ExpectColumnValuesToNotBeNull(column="region"),
            ],
        ),
    ]
