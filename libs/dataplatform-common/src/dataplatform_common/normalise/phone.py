"""Phone numbers to E.164 with Google's libphonenumber rules (package `phonenumbers`)."""

from __future__ import annotations

import re

import phonenumbers

from dataplatform_common.normalise.errors import NormalisationError

DEFAULT_REGION = "FR"

# The shapes French producers send most: `06 12 34 56 78`, `0612345678`, `06.12.34.56.78`, `+33 6 12 34 56 78`,
# `+33612345678`. For these, `phonenumbers.parse` (about 3/4 of the cost of a number) only strips the separators
# and the national prefix `0` / country code +33, so the number is built directly; validity is still decided by
# libphonenumber (`is_valid_number`). test_normalise.py checks both paths agree on every shape.
_FRENCH_NATIONAL = re.compile(r"0([1-9](?:[ .-]?\d\d){4})")
_FRENCH_INTERNATIONAL = re.compile(r"\+33[ .-]?([1-9](?:[ .-]?\d\d){4})")
_SEPARATORS = str.maketrans("", "", " .-")


def _french_number(text: str, default_region: str) -> phonenumbers.PhoneNumber | None:
    """The parsed number when `text` has one of the common French shapes, else None (use the full parser)."""
    match = _FRENCH_INTERNATIONAL.fullmatch(text)
    if match is None and default_region == "FR":
        match = _FRENCH_NATIONAL.fullmatch(text)
    if match is None:
        return None
    return phonenumbers.PhoneNumber(country_code=33, national_number=int(match.group(1).translate(_SEPARATORS)))


def _parse(text: str, default_region: str) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as error:
        raise NormalisationError("invalid_phone", f"not a phone number ({error._msg})") from None


def normalise_phone(value: str, default_region: str = DEFAULT_REGION) -> str:
    """`06 12 34 56 78` -> `+33612345678`. National numbers are read in `default_region`."""
    text = value.strip()
    if not text:
        raise NormalisationError("required", "phone number is empty")
    number = _french_number(text, default_region) or _parse(text, default_region)
    if not phonenumbers.is_valid_number(number):
        raise NormalisationError("invalid_phone", f"not a valid phone number for region {default_region}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
