"""Carriers table: tracking links and loose tracking-number checks (pure, no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microbag.shipping.policies import (
    CARRIERS,
    normalise_tracking_number,
    tracking_number_errors,
    tracking_url,
)

VALID = {
    "ups": "1Z999AA10123456784",
    "fedex": "1234 5678 9012",
    "dhl_express": "1234567890",
    "usps": "9400 1000 0000 0000 0000 00",
    "royal_mail": "AB123456789GB",
    "colissimo": "6A12345678901",
    "yamato": "1234-5678-9012",
    "sagawa": "123456789012",
    "japan_post": "EJ123456789JP",
    "cj_logistics": "1234567890",
    "sf_express": "SF1234567890123",
    "aramex": "12345678901",
}


def test_every_carrier_has_a_valid_example() -> None:
    assert set(VALID) == set(CARRIERS)


@pytest.mark.parametrize(("code", "number"), sorted(VALID.items()))
def test_valid_numbers_pass_and_link_to_the_carrier(code: str, number: str) -> None:
    assert tracking_number_errors(code, number) == []
    url = tracking_url(code, number)
    assert url is not None and url.startswith("https://")
    assert normalise_tracking_number(number) in url


@pytest.mark.parametrize(
    ("code", "number"),
    [
        ("ups", "12AB"),
        ("fedex", "1Z999AA10123456784"),
        ("royal_mail", "AB123456789US"),
        ("yamato", "12345"),
    ],
)
def test_wrong_shape_is_refused_naming_the_carrier(code: str, number: str) -> None:
    [error] = tracking_number_errors(code, number)
    assert error.code == "invalid_tracking_number"
    assert error.field == "tracking_number" and error.line is None
    assert CARRIERS[code].name in error.message


def test_empty_unknown_and_other() -> None:
    assert [e.code for e in tracking_number_errors("ups", "  - ")] == ["tracking_number_required"]
    assert [(e.code, e.field) for e in tracking_number_errors("pigeon", "ABC123")] == [
        ("unknown_carrier", "carrier")
    ]
    assert tracking_number_errors("other", "truck-42/b") == []
    assert [e.code for e in tracking_number_errors("other", "https://x.test/?a=1")] == [
        "invalid_tracking_number"
    ]
    assert tracking_url("other", "ABC123") is None


def test_normalise_drops_spaces_and_hyphens() -> None:
    assert normalise_tracking_number(" 1z 999-aa1 ") == "1Z999AA1"


@given(st.sampled_from(sorted(CARRIERS)), st.text(max_size=60))
def test_link_never_carries_raw_url_syntax(code: str, raw: str) -> None:
    url = tracking_url(code, raw)
    assert url is not None
    # The number is quoted: whatever was typed cannot add a query parameter or fragment.
    template = CARRIERS[code].tracking_url
    assert url.count("&") == template.count("&")
    assert url.count("#") == template.count("#")
