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


def _french_type_patterns() -> tuple[tuple[re.Pattern[str], frozenset[int]], ...]:
    """libphonenumber's own FR metadata as compiled (pattern, possible lengths): general first, then every type."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("FR")
    descs = [metadata.general_desc] + [getattr(metadata, kind) for kind in (
        "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
        "fixed_line", "mobile")]  # fmt: skip
    return tuple(
        (re.compile(desc.national_number_pattern), frozenset(desc.possible_length))
        for desc in descs
        if desc is not None and desc.national_number_pattern
    )


_FRENCH_GENERAL, *_FRENCH_TYPES = _french_type_patterns()


def _valid_french(number: phonenumbers.PhoneNumber) -> bool:
    """`phonenumbers.is_valid_number` for a +33 number, without its per-call regex-cache look-ups: valid when
    the general description and at least one number type match (pattern and possible length)."""
    national = str(number.national_number)

    def matches(pattern: re.Pattern[str], lengths: frozenset[int]) -> bool:
        return (not lengths or len(national) in lengths) and pattern.fullmatch(national) is not None

    return matches(*_FRENCH_GENERAL) and any(matches(*desc) for desc in _FRENCH_TYPES)


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
    number = _french_number(text, default_region)
    if number is not None:
        valid = _valid_french(number)
    else:
        number = _parse(text, default_region)
        valid = phonenumbers.is_valid_number(number)
    if not valid:
        raise NormalisationError("invalid_phone", f"not a valid phone number for region {default_region}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
