"""Phone numbers to E.164 with Google's libphonenumber rules (package `phonenumbers`)."""

from __future__ import annotations

import phonenumbers

from dataplatform_common.normalise.errors import NormalisationError

DEFAULT_REGION = "FR"


def normalise_phone(value: str, default_region: str = DEFAULT_REGION) -> str:
    """`06 12 34 56 78` -> `+33612345678`. National numbers are read in `default_region`."""
    text = value.strip()
    if not text:
        raise NormalisationError("required", "phone number is empty")
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as error:
        raise NormalisationError("invalid_phone", f"not a phone number ({error._msg})") from None
    if not phonenumbers.is_valid_number(number):
        raise NormalisationError("invalid_phone", f"not a valid phone number for region {default_region}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
