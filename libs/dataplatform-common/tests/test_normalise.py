"""Normalisation rules: canonical forms, error codes, and the shared record contract."""

from __future__ import annotations

from datetime import date

import pytest
from dataplatform_common.geography import DEPARTMENTS, REGIONS, department_of_postal_code
from dataplatform_common.normalise import (
    CUSTOMER,
    NormalisationError,
    PostalReference,
    clean_text,
    match_key,
    normalise_date,
    normalise_email,
    normalise_phone,
    normalise_postal_code,
    normalise_record,
)
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("value", "case", "expected"),
    [
        ("  jean\u00a0 pierre ", "keep", "jean pierre"),
        ("jean-pierre d'artagnan", "title", "Jean-Pierre D'Artagnan"),
        ("  dupont ", "upper", "DUPONT"),
        ("ÉVRY", "lower", "évry"),
    ],
)
def test_clean_text(value: str, case: str, expected: str) -> None:
    assert clean_text(value, case) == expected  # type: ignore[arg-type]


def test_match_key_ignores_accents_case_and_punctuation() -> None:
    assert match_key("Évry-Courcouronnes") == match_key("  evry courcouronnes ") == "evry courcouronnes"


@pytest.mark.parametrize("value", [" Jean.Dupont@Example.COM ", "jean.dupont@example.com"])
def test_email_canonical(value: str) -> None:
    assert normalise_email(value) == "jean.dupont@example.com"


@pytest.mark.parametrize("value", ["jean.dupont", "a@b", "a b@example.com", "x@-bad.com", "a..b@example.com"])
def test_email_invalid(value: str) -> None:
    with pytest.raises(NormalisationError) as error:
        normalise_email(value)
    assert error.value.code == "invalid_email"
    assert value.strip() not in error.value.message  # personal data never echoed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("+33 (0)1 42 68 53 00", "+33142685300"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_e164(value: str, expected: str) -> None:
    assert normalise_phone(value) == expected


@pytest.mark.parametrize("value", ["12", "not a phone", "06 12 34"])
def test_phone_invalid(value: str) -> None:
    with pytest.raises(NormalisationError) as error:
        normalise_phone(value)
    assert error.value.code == "invalid_phone"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-01", "2024-03-01"),
        ("01/03/2024", "2024-03-01"),
        ("1.3.2024", "2024-03-01"),
        ("20240301", "2024-03-01"),
    ],
)
def test_dates_day_first(value: str, expected: str) -> None:
    assert normalise_date(value) == expected


@pytest.mark.parametrize(("value", "code"), [("31/02/2024", "invalid_date"), ("March 1st", "invalid_date")])
def test_dates_invalid(value: str, code: str) -> None:
    with pytest.raises(NormalisationError) as error:
        normalise_date(value)
    assert error.value.code == code


def test_date_bounds() -> None:
    with pytest.raises(NormalisationError) as error:
        normalise_date("2999-01-01", latest=date(2030, 1, 1))
    assert error.value.code == "date_out_of_range"


def test_departments_and_regions_are_complete() -> None:
    assert len(DEPARTMENTS) == 101
    assert {department.region_code for department in DEPARTMENTS.values()} == set(REGIONS)


@pytest.mark.parametrize(
    ("postal_code", "department"),
    [("75001", "75"), ("01000", "01"), ("20000", "2A"), ("20200", "2B"), ("97400", "974"), ("98000", None)],
)
def test_department_of_postal_code(postal_code: str, department: str | None) -> None:
    assert department_of_postal_code(postal_code) == department


@pytest.mark.parametrize(("value", "expected"), [("75 001", "75001"), ("1000", "01000"), (1000, "01000")])
def test_postal_code_canonical(value: str | int, expected: str) -> None:
    assert normalise_postal_code(value) == expected


@pytest.mark.parametrize("value", ["7500", "750011", "ABCDE", "00100", "96000"])
def test_postal_code_invalid(value: str) -> None:
    if value == "7500":
        assert normalise_postal_code(value) == "07500"  # 4 digits: the spreadsheet-lost leading zero
        return
    with pytest.raises(NormalisationError):
        normalise_postal_code(value)


def test_postal_reference_resolves_commune_department_region() -> None:
    info = PostalReference.packaged().lookup("69003")
    assert info.as_dict() == {
        "postal_code": "69003",
        "commune": "Lyon",
        "department_code": "69",
        "department": "Rhône",
        "region_code": "84",
        "region": "Auvergne-Rhône-Alpes",
    }


def test_postal_reference_unknown_commune_keeps_department() -> None:
    reference = PostalReference.from_rows([("75001", "Paris")])
    info = reference.lookup("33990")
    assert (info.commune, info.department, info.region) == (None, "Gironde", "Nouvelle-Aquitaine")


def test_packaged_reference_codes_are_all_valid() -> None:
    reference = PostalReference.packaged()
    assert len(reference) > 200
    for postal_code, _ in reference.rows():
        assert reference.lookup(postal_code).postal_code == postal_code


def test_normalise_record_collects_every_error_and_unknown_fields() -> None:
    result = normalise_record(
        {"first_name": " jean ", "last_name": "", "email": "nope", "phone": "06 12 34 56 78", "shoe_size": 42},
        CUSTOMER,
    )
    assert result.output["first_name"] == "Jean"
    assert result.output["phone"] == "+33612345678"
    assert {(e.field, e.code) for e in result.errors} == {
        ("last_name", "required"),
        ("email", "invalid_email"),
        ("shoe_size", "unknown_field"),
    }
    assert not result.ok


def test_normalise_record_rejects_non_scalar_values() -> None:
    result = normalise_record({"first_name": ["a"], "last_name": "x"}, CUSTOMER)
    assert [(e.field, e.code) for e in result.errors] == [("first_name", "invalid_type")]


def _full_parser_phone(value: str, region: str = "FR") -> str:
    """The reference: phonenumbers.parse for every shape (what normalise_phone did before its fast path)."""
    import phonenumbers

    try:
        number = phonenumbers.parse(value.strip(), region)
    except phonenumbers.NumberParseException:
        return "invalid"
    if not phonenumbers.is_valid_number(number):
        return "invalid"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@given(
    prefix=st.sampled_from(["0", "+33", "+33 ", "+33-", "+330", "0033", "00", ""]),
    digits=st.text(alphabet="0123456789", min_size=8, max_size=11),
    separator=st.sampled_from(["", " ", ".", "-", "  ", "/"]),
    region=st.sampled_from(["FR", "BE", "US"]),
)
@settings(max_examples=600, deadline=None)
def test_phone_fast_path_agrees_with_the_full_parser(prefix: str, digits: str, separator: str, region: str) -> None:
    pairs = [digits[:1]] + [digits[i : i + 2] for i in range(1, len(digits), 2)]
    value = prefix + separator.join(pairs)
    try:
        fast = normalise_phone(value, region)
    except NormalisationError as error:
        assert error.code in ("invalid_phone", "required")
        fast = "invalid"
    assert fast == _full_parser_phone(value, region), value
