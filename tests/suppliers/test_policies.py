"""Pure supplier rules: landed cost (FX, buffer, freight, duty by country), field checks,
certificate status."""

from __future__ import annotations

from datetime import date

import pytest

from microbag.suppliers import policies

RATES = {"USD": 1.0, "EUR": 1.1, "CNY": 0.14, "JPY": 0.0065}


def landed(cost: int, currency: str, country: str = "CN", **kw: object) -> int:
    args: dict = dict(
        base_currency="USD",
        fx_rates=RATES,
        fx_buffer_percent=0.0,
        freight_percent=0.0,
        duty_percent=0.0,
    )
    args.update(kw)
    return policies.landed_cost_minor(cost, currency, country, **args)


def test_same_currency_without_costs_is_unchanged() -> None:
    assert landed(1_234, "USD") == 1_234


def test_eur_to_usd_with_buffer_freight_and_duty() -> None:
    # 10.00 EUR -> 11.00 USD, +2% buffer = 11.22, +8% freight = 12.1176, +10% duty = 13.32936
    got = landed(1_000, "EUR", fx_buffer_percent=2.0, freight_percent=8.0, duty_percent=10.0)
    assert got == 1_333


def test_cny_converts_through_rates() -> None:
    # 100.00 CNY at 0.14 = 14.00 USD
    assert landed(10_000, "CNY") == 1_400


def test_jpy_has_no_minor_digits() -> None:
    # 1,000 JPY (no decimals) at 0.0065 = 6.50 USD = 650 cents
    assert landed(1_000, "JPY") == 650
    # and into JPY as base: 10.00 USD = 1538.46 JPY -> 1538
    assert landed(1_000, "USD", base_currency="JPY") == 1_538


def test_duty_by_origin_country_beats_the_default() -> None:
    kw = dict(duty_percent=10.0, duty_by_country={"VN": 0.0, "CN": 25.0})
    assert landed(1_000, "USD", "VN", **kw) == 1_000
    assert landed(1_000, "USD", "CN", **kw) == 1_250
    assert landed(1_000, "USD", "IT", **kw) == 1_100


def test_duty_applies_to_cost_plus_freight() -> None:
    assert landed(1_000, "USD", freight_percent=10.0, duty_percent=10.0) == 1_210


def test_unknown_rate_raises() -> None:
    with pytest.raises(ValueError, match="GBP"):
        landed(1_000, "GBP")
    with pytest.raises(ValueError, match="CHF"):
        landed(1_000, "USD", base_currency="CHF")


def test_certificate_status() -> None:
    today = date(2026, 6, 1)
    assert policies.certificate_status(None, today, 60) == "valid"
    assert policies.certificate_status(date(2026, 5, 31), today, 60) == "expired"
    assert policies.certificate_status(today, today, 60) == "expiring"
    assert policies.certificate_status(date(2026, 7, 31), today, 60) == "expiring"
    assert policies.certificate_status(date(2026, 8, 1), today, 60) == "valid"


def codes(errors) -> set[str]:
    return {e.code for e in errors}


def test_valid_supplier_fields_pass() -> None:
    assert (
        policies.validate_supplier(
            {
                "code": "GZ-01",
                "name": "Guangzhou Leather",
                "kind": "factory",
                "country": "CN",
                "currency": "CNY",
                "monthly_capacity_units": 20_000,
                "default_lead_time_days": 45,
                "contacts": [{"name": "Li", "email": "li@example.com", "phone": "+86"}],
                "capabilities": {"bag_types": ["micro_clutch"], "oem": True},
            }
        )
        == []
    )


def test_bad_supplier_fields_are_each_named() -> None:
    errors = policies.validate_supplier(
        {
            "code": "bad code",
            "kind": "broker",
            "country": "XX",
            "currency": "usd",
            "monthly_capacity_units": -1,
            "default_lead_time_days": 731,
            "contacts": [{"name": "Li", "email": "not-an-email"}],
            "capabilities": {"bag_types": ["suitcase"]},
        }
    )
    assert codes(errors) == {
        "invalid_code",
        "unknown_kind",
        "invalid_country",
        "invalid_currency",
        "invalid_capacity",
        "invalid_lead_time",
        "invalid_email",
        "unknown_bag_type",
    }


@pytest.mark.parametrize(
    ("capabilities", "code"),
    [
        ({"teleport": True}, "unknown_capability"),
        ({"oem": "yes"}, "invalid_capability"),
        ({"materials": "canvas"}, "invalid_capability"),
        ([], "invalid_capabilities"),
    ],
)
def test_capabilities(capabilities: object, code: str) -> None:
    assert code in codes(policies.validate_capabilities(capabilities))


def test_contacts_shape() -> None:
    assert codes(policies.validate_contacts("x")) == {"invalid_contacts"}
    assert codes(policies.validate_contacts([{"nick": "x"}])) == {"invalid_contact"}
    assert codes(policies.validate_contacts([{"email": "a@b.co"}])) == {"invalid_contact"}


def test_normalized_capabilities() -> None:
    assert policies.normalized_capabilities({"materials": ["canvas", "canvas", "abc"]}) == {
        "bag_types": [],
        "materials": ["abc", "canvas"],
        "hardware": [],
        "oem": False,
        "odm": False,
        "logo": False,
        "packaging": False,
    }


def test_price_checks() -> None:
    ok = dict(
        unit_cost_minor=100,
        currency="USD",
        moq=1,
        case_pack=1,
        lead_time_days=None,
        valid_from=date(2026, 1, 1),
        valid_until=None,
    )
    assert policies.validate_price(**ok) == []
    bad = dict(
        unit_cost_minor=-1,
        currency="XXX1",
        moq=0,
        case_pack=0,
        lead_time_days=1000,
        valid_from=date(2026, 1, 2),
        valid_until=date(2026, 1, 1),
    )
    assert codes(policies.validate_price(**bad)) == {
        "invalid_unit_cost",
        "invalid_currency",
        "invalid_moq",
        "invalid_case_pack",
        "invalid_lead_time",
        "invalid_validity",
    }
