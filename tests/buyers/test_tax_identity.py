"""A company's tax identity, the pure rules (no database): VAT numbers checked with
python-stdnum (real numbers, broken check digits, prefixes and the company's country), US
resale certificates (complete, state, expiry), and how the status reads."""

from __future__ import annotations

from datetime import date

import pytest

from microbag.buyers.tax_identity import (
    US_STATES,
    TaxIdentity,
    check_resale_certificate,
    check_tax_identity,
    check_vat_number,
    tax_status,
)

TODAY = date(2026, 3, 1)


def codes(errors) -> list[str]:
    return [e.code for e in errors]


@pytest.mark.parametrize(
    ("number", "country", "stored"),
    [
        ("DE136695976", "DE", "DE136695976"),
        ("GB980780684", "GB", "GB980780684"),
        ("FR40303265045", "FR", "FR40303265045"),
        ("NL004495445B01", "NL", "NL004495445B01"),
        ("IE6388047V", "IE", "IE6388047V"),
        # written as people write them: spaces, dots, dashes, lower case
        ("de 136.695.976", "DE", "DE136695976"),
        ("gb 980 7806 84", "GB", "GB980780684"),
        ("FR 40 303-265-045", "FR", "FR40303265045"),
        # Greece is EL (GR accepted), Northern Ireland XI for a UK company
        ("EL094259216", "GR", "EL094259216"),
        ("GR094259216", "GR", "EL094259216"),
        ("XI980780684", "GB", "XI980780684"),
        # Swiss (with or without the MWST/TVA/IVA suffix) and Norwegian numbers
        ("CHE-113.690.319 MWST", "CH", "CHE113690319MWST"),
        ("CHE-113.690.319", "CH", "CHE113690319"),
        ("NO 965 920 358 MVA", "NO", "NO965920358MVA"),
        ("NO965920358", "NO", "NO965920358MVA"),
        # Monaco uses French numbers
        ("FR40303265045", "MC", "FR40303265045"),
    ],
)
def test_valid_vat_numbers_are_stored_compact(number, country, stored):
    assert check_vat_number(number, country) == (stored, [])


@pytest.mark.parametrize(
    ("number", "country", "named"),
    [
        ("DE136695977", "DE", "Germany"),
        ("GB980780685", "GB", "the United Kingdom"),
        ("FR40303265046", "FR", "France"),
        ("NL004495446B01", "NL", "the Netherlands"),
        ("IE6388047W", "IE", "Ireland"),
        ("DE13669597", "DE", "Germany"),  # one digit short
        ("CHE-113.690.318", "CH", "Switzerland"),
        ("NO965920359", "NO", "Norway"),
    ],
)
def test_broken_check_digits_or_lengths_name_the_country(number, country, named):
    stored, errors = check_vat_number(number, country)
    assert stored is None
    assert codes(errors) == ["invalid_vat_number"]
    assert named in errors[0].message
    assert errors[0].field == "vat_number"


def test_a_number_without_its_country_prefix_or_with_odd_characters_is_invalid():
    for number in ("136695976", "DE１３６６９５９７６", "DE136695976!"):
        assert codes(check_vat_number(number, "DE")[1]) == ["invalid_vat_number"], number


@pytest.mark.parametrize("number", ["US123456789", "JP1234567890123", "CH123456789"])
def test_other_countries_are_unsupported(number):
    assert codes(check_vat_number(number, "US")[1]) == ["unsupported_vat_country"]


def test_the_prefix_must_be_the_companys_country():
    stored, errors = check_vat_number("DE136695976", "FR")
    assert stored == "DE136695976"
    assert codes(errors) == ["vat_country_mismatch"]
    assert "Germany" in errors[0].message and "France" in errors[0].message
    assert codes(check_vat_number("XI980780684", "IE")[1]) == ["vat_country_mismatch"]
    assert codes(check_vat_number("EL094259216", "CY")[1]) == ["vat_country_mismatch"]
    assert codes(check_vat_number("GB980780684", "US")[1]) == ["vat_country_mismatch"]


def test_no_vat_number_clears_it():
    assert check_vat_number(None, "DE") == (None, [])
    assert check_vat_number("  ", "DE") == (None, [])


def test_a_resale_certificate_is_normalised():
    assert check_resale_certificate(" ca-123 ", "ca", date(2027, 3, 1), today=TODAY) == (
        ("CA-123", "CA", date(2027, 3, 1)),
        [],
    )
    # expiring today is still valid
    assert check_resale_certificate("SR-77", "NY", TODAY, today=TODAY)[1] == []
    assert check_resale_certificate(None, "", None, today=TODAY) == ((None, None, None), [])


def test_a_resale_certificate_has_all_three_parts():
    _, errors = check_resale_certificate("123", None, None, today=TODAY)
    assert codes(errors) == ["resale_certificate_incomplete"] * 2
    assert [e.field for e in errors] == ["resale_certificate_state", "resale_certificate_expires"]
    _, errors = check_resale_certificate(None, "CA", date(2027, 1, 1), today=TODAY)
    assert codes(errors) == ["resale_certificate_incomplete"]
    assert errors[0].field == "resale_certificate_number"


def test_resale_certificate_problems_all_at_once():
    _, errors = check_resale_certificate("12 34", "XX", date(2026, 2, 28), today=TODAY)
    assert codes(errors) == [
        "invalid_resale_certificate",
        "invalid_resale_state",
        "resale_certificate_expired",
    ]
    assert codes(check_resale_certificate("A" * 41, "CA", TODAY, today=TODAY)[1]) == [
        "invalid_resale_certificate"
    ]
    assert codes(check_resale_certificate("A" * 40, "CA", TODAY, today=TODAY)[1]) == []


def test_the_state_table_has_states_dc_and_territories():
    assert len(US_STATES) == 56
    for code in ("CA", "NY", "DC", "PR", "GU", "VI"):
        assert check_resale_certificate("1", code, TODAY, today=TODAY)[1] == []


def test_an_expired_certificate_on_file_may_stay_but_not_be_entered():
    expired = ("123", "CA", date(2025, 12, 31))
    assert codes(check_resale_certificate(*expired, today=TODAY)[1]) == [
        "resale_certificate_expired"
    ]
    assert check_resale_certificate(*expired, today=TODAY, on_file=expired)[1] == []
    renewed_but_expired = ("124", "CA", date(2025, 12, 31))
    assert codes(check_resale_certificate(*renewed_but_expired, today=TODAY, on_file=expired)[1])


def test_check_tax_identity_reports_every_problem():
    identity, errors = check_tax_identity(
        "FR",
        vat_number="DE136695976",
        resale_certificate_number="CA-1",
        resale_certificate_state="ZZ",
        resale_certificate_expires=date(2027, 1, 1),
        today=TODAY,
    )
    assert codes(errors) == ["vat_country_mismatch", "invalid_resale_state"]
    identity, errors = check_tax_identity(
        "US",
        vat_number="",
        resale_certificate_number="ca-1",
        resale_certificate_state="ca",
        resale_certificate_expires=date(2027, 1, 1),
        today=TODAY,
    )
    assert errors == []
    assert identity == TaxIdentity(None, "CA-1", "CA", date(2027, 1, 1))


def test_tax_status_reads():
    status = tax_status(
        TaxIdentity("DE136695976", "123", "CA", date(2027, 3, 1)), "DE", today=TODAY
    )
    assert status.lines() == [
        "VAT DE136695976 (valid)",
        "resale certificate CA-123 expires 2027-03-01",
    ]
    assert status.warning is None and not status.resale_expired
    expired = tax_status(TaxIdentity(None, "CA-123", "CA", date(2026, 1, 1)), "US", today=TODAY)
    assert expired.lines() == ["resale certificate CA-123 expired 2026-01-01"]
    assert expired.resale_expired
    assert expired.warning == "The resale certificate expired on 2026-01-01."
    soon = tax_status(TaxIdentity(None, "9", "NY", date(2026, 3, 31)), "US", today=TODAY)
    assert soon.warning == "The resale certificate expires in 30 days (2026-03-31)."
    later = tax_status(TaxIdentity(None, "9", "NY", date(2026, 4, 1)), "US", today=TODAY)
    assert later.warning is None
    shorter = tax_status(
        TaxIdentity(None, "9", "NY", date(2026, 3, 10)), "US", today=TODAY, warn_within_days=7
    )
    assert shorter.warning is None
    assert tax_status(TaxIdentity(), "US", today=TODAY).empty
    mismatch = tax_status(TaxIdentity("DE136695976"), "FR", today=TODAY)
    assert mismatch.vat == "VAT DE136695976 (valid, not the company's country)"
