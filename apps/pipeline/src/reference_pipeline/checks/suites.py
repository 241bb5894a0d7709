"""Great Expectations suites, one per checked table, declared as data (table -> expectations).

Plain data, so the code location lists the checked tables without importing Great Expectations (seconds of
CPU at every load); `Suite.build()` makes the GX suite when the check runs. `NOW` is a GX suite parameter,
bound to the validation time (`checks/expectations.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import great_expectations as gx

EMAIL = r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9.-]+\.[a-z]{2,63}$"
E164 = r"^\+[1-9][0-9]{6,14}$"
POSTAL_CODE = r"^[0-9]{5}$"
PRODUCTS = ["AUTO", "HOME", "HEALTH", "LIFE"]
POLICY_STATUSES = ["ACTIVE", "CANCELLED", "LAPSED"]
CLAIM_STATUSES = ["OPEN", "SETTLED", "REJECTED"]
NOW = {"$PARAMETER": "now"}

Expectation = tuple[str, dict[str, Any]]  # (GX expectation class, its arguments)


@dataclass(frozen=True)
class Suite:
    """Expectations on one warehouse table of a layer (`schema` is the layer: silver, gold)."""

    schema: str
    table: str
    expectations: tuple[Expectation, ...]

    @property
    def name(self) -> str:
        return f"{self.schema}_{self.table}"

    @property
    def columns(self) -> list[str]:
        names: list[str] = []
        for _, arguments in self.expectations:
            for value in [arguments.get("column"), *arguments.get("column_list", [])]:
                if value and value not in names:
                    names.append(value)
        return names

    def build(self) -> gx.ExpectationSuite:
        """The GX suite (new expectation objects each time: GX binds them to one suite)."""
        import great_expectations as gx
        import great_expectations.expectations as gxe

        expectations = [getattr(gxe, kind)(**arguments) for kind, arguments in self.expectations]
        return gx.ExpectationSuite(name=self.name, expectations=expectations)


def _suite(schema: str, table: str, *expectations: Expectation) -> Suite:
    return Suite(schema, table, expectations)


def _unique(column: str) -> Expectation:
    return ("ExpectColumnValuesToBeUnique", {"column": column})


def _not_null(column: str, mostly: float = 1.0) -> Expectation:
    return ("ExpectColumnValuesToNotBeNull", {"column": column, "mostly": mostly})


def _regex(column: str, regex: str) -> Expectation:
    return ("ExpectColumnValuesToMatchRegex", {"column": column, "regex": regex})


def _in_set(column: str, values: list[str]) -> Expectation:
    return ("ExpectColumnValuesToBeInSet", {"column": column, "value_set": values})


def _between(column: str, low: Any = None, high: Any = None) -> Expectation:
    return ("ExpectColumnValuesToBeBetween", {"column": column, "min_value": low, "max_value": high})


SUITES: tuple[Suite, ...] = (
    _suite(
        "silver",
        "customers",
        _unique("customer_id"),
        _not_null("customer_id"),
        _regex("email", EMAIL),
        _regex("phone", E164),
        _regex("postal_code", POSTAL_CODE),
        _between("birth_date", datetime(1900, 1, 1), NOW),
        # Bad e-mails are emptied, not kept: at most 10% of customers may lack one.
        _not_null("email", mostly=0.9),
    ),
    _suite(
        "silver",
        "policies",
        _unique("policy_id"),
        _in_set("product", PRODUCTS),
        _in_set("status", POLICY_STATUSES),
        _between("annual_premium", 0, 100_000),
    ),
    _suite(
        "silver",
        "claims",
        _unique("claim_id"),
        _in_set("status", CLAIM_STATUSES),
        _between("amount_eur", 0, 10_000_000),
        _not_null("claim_date", mostly=0.99),
    ),
    _suite("gold", "customers", _unique("customer_id"), _between("policies_count", 0), _regex("email", EMAIL)),
    _suite("gold", "policies", _unique("policy_id"), _not_null("customer_id"), _in_set("product", PRODUCTS)),
    _suite("gold", "claims", _unique("claim_id"), _between("amount_eur", 0), _not_null("claim_date")),
    _suite(
        "gold",
        "premiums_monthly",
        ("ExpectCompoundColumnsToBeUnique", {"column_list": ["month", "product"]}),
        _between("payment_rate", 0, 1),
    ),
    _suite(
        "gold",
        "ref_postal_codes",
        _unique("postal_code"),
        _regex("postal_code", POSTAL_CODE),
        _not_null("region"),
    ),
)


def suites() -> list[Suite]:
    return list(SUITES)
