"""Pure rules of suppliers: landed cost, supplier and price fields, certificate status."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from microbag.buyers.policies import is_country_code
from microbag.catalog.policies import BAG_TYPES, CODE_PATTERN
from microbag.errors import ErrorItem
from microbag.money import MAX_MINOR, is_currency, minor_digits

KINDS: tuple[str, ...] = ("factory", "trading_company")
KIND_NAMES = {"factory": "Factory", "trading_company": "Trading company"}
# Capabilities: lists of slugs, and yes/no customization abilities.
CAPABILITY_LISTS: tuple[str, ...] = ("bag_types", "materials", "hardware")
CAPABILITY_FLAGS: tuple[str, ...] = ("oem", "odm", "logo", "packaging")
CAPABILITY_KEYS: tuple[str, ...] = CAPABILITY_LISTS + CAPABILITY_FLAGS
CONTACT_KEYS: tuple[str, ...] = ("name", "role", "email", "phone")
MAX_CONTACTS = 20
MAX_CAPABILITY_ITEMS = 50
MAX_LEAD_TIME_DAYS = 730
MAX_CAPACITY_UNITS = 100_000_000
MAX_PACK = 1_000_000
CERTIFICATE_KINDS: tuple[str, ...] = (
    "bsci",
    "sedex_smeta",
    "iso_9001",
    "iso_14001",
    "lwg",
    "grs",
    "oeko_tex",
    "sa8000",
    "wrap",
    "social_audit",
    "factory_audit",
    # A chemical test report (EU REACH SVHC / restricted substances) per material.
    "reach_test_report",
    "other",
)
CERTIFICATE_STATUSES: tuple[str, ...] = ("valid", "expiring", "expired")
MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_CODE_RE = re.compile(CODE_PATTERN)
# Syntax only (a local part, an @, a domain with a dot); delivery is not checked.
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def landed_cost_minor(
    unit_cost_minor: int,
    currency: str,
    origin_country: str,
    *,
    base_currency: str,
    fx_rates: Mapping[str, float],
    fx_buffer_percent: float,
    freight_percent: float,
    duty_percent: float,
    duty_by_country: Mapping[str, float] | None = None,
) -> int:
    """The landed unit cost in ``base_currency`` minor units.

    Convert at ``fx_rates`` (units of the base currency per unit of each currency) plus the
    FX buffer; freight is a share of that cost; duty a share of cost plus freight, by the
    origin country's rate in ``duty_by_country`` when given, else ``duty_percent``.
    Raises ValueError when either currency has no rate."""
    if currency not in fx_rates or base_currency not in fx_rates:
        missing = currency if currency not in fx_rates else base_currency
        raise ValueError(f"no exchange rate for {missing}")
    rate = Decimal(str(fx_rates[currency])) / Decimal(str(fx_rates[base_currency]))
    major = Decimal(unit_cost_minor).scaleb(-minor_digits(currency))
    cost = major * rate * (1 + Decimal(str(fx_buffer_percent)) / 100)
    freight = cost * Decimal(str(freight_percent)) / 100
    duty_rate = (duty_by_country or {}).get(origin_country, duty_percent)
    duty = (cost + freight) * Decimal(str(duty_rate)) / 100
    landed = (cost + freight + duty).scaleb(minor_digits(base_currency))
    return int(landed.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def certificate_status(valid_until: date | None, today: date, warning_days: int) -> str:
    """valid, expiring (within ``warning_days``) or expired; no end date is valid."""
    if valid_until is None:
        return "valid"
    if valid_until < today:
        return "expired"
    if (valid_until - today).days <= warning_days:
        return "expiring"
    return "valid"


def _error(code: str, message: str, field: str) -> ErrorItem:
    return ErrorItem(code, message, field=field)


def validate_supplier(fields: Mapping[str, Any]) -> list[ErrorItem]:
    """Check the given supplier fields (a create passes them all, an update some)."""
    errors: list[ErrorItem] = []
    if "code" in fields and not (
        isinstance(fields["code"], str) and _CODE_RE.fullmatch(fields["code"])
    ):
        errors.append(
            _error("invalid_code", "a code is 1-32 letters, digits, '.', '_' or '-'", "code")
        )
    elif "code" in fields and len(fields["code"]) > 32:
        errors.append(_error("invalid_code", "a code is at most 32 characters", "code"))
    if "name" in fields and not (
        isinstance(fields["name"], str) and 0 < len(fields["name"].strip()) <= 200
    ):
        errors.append(_error("invalid_name", "the name is 1-200 characters", "name"))
    if "kind" in fields and fields["kind"] not in KINDS:
        errors.append(_error("unknown_kind", f"kind must be one of {', '.join(KINDS)}", "kind"))
    if "country" in fields and not is_country_code(fields["country"]):
        errors.append(
            _error(
                "invalid_country",
                f"{fields['country']!r} is not an ISO 3166-1 alpha-2 country code (CN, VN, IT)",
                "country",
            )
        )
    if "currency" in fields and not is_currency(fields["currency"]):
        errors.append(
            _error(
                "invalid_currency",
                f"{fields['currency']!r} is not an ISO 4217 currency code",
                "currency",
            )
        )
    capacity = fields.get("monthly_capacity_units", 0)
    if not _int_in(capacity, 0, MAX_CAPACITY_UNITS):
        errors.append(
            _error(
                "invalid_capacity",
                f"monthly capacity is a whole number of units from 0 to {MAX_CAPACITY_UNITS}",
                "monthly_capacity_units",
            )
        )
    lead = fields.get("default_lead_time_days", 0)
    if not _int_in(lead, 0, MAX_LEAD_TIME_DAYS):
        errors.append(
            _error(
                "invalid_lead_time",
                f"the lead time is 0 to {MAX_LEAD_TIME_DAYS} days",
                "default_lead_time_days",
            )
        )
    if "contacts" in fields:
        errors.extend(validate_contacts(fields["contacts"]))
    if "capabilities" in fields:
        errors.extend(validate_capabilities(fields["capabilities"]))
    for name, limit in (("region", 100), ("payment_terms", 120), ("notes", 5000)):
        if name in fields and not (isinstance(fields[name], str) and len(fields[name]) <= limit):
            errors.append(_error(f"invalid_{name}", f"{name} is at most {limit} characters", name))
    return errors


def _int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def validate_contacts(contacts: Any) -> list[ErrorItem]:
    if not isinstance(contacts, list) or len(contacts) > MAX_CONTACTS:
        return [
            _error("invalid_contacts", f"contacts are a list of at most {MAX_CONTACTS}", "contacts")
        ]
    errors: list[ErrorItem] = []
    for i, contact in enumerate(contacts, start=1):
        field = f"contacts[{i}]"
        if not isinstance(contact, Mapping) or set(contact) - set(CONTACT_KEYS):
            errors.append(
                _error(
                    "invalid_contact",
                    f"contact {i} may have only {', '.join(CONTACT_KEYS)}",
                    field,
                )
            )
            continue
        if not all(isinstance(v, str) and len(v) <= 200 for v in contact.values()):
            errors.append(_error("invalid_contact", f"contact {i}: texts of 200 at most", field))
            continue
        if not str(contact.get("name", "")).strip():
            errors.append(_error("invalid_contact", f"contact {i} needs a name", field))
        email = str(contact.get("email", ""))
        if email and not _EMAIL_RE.fullmatch(email):
            errors.append(
                _error("invalid_email", f"contact {i}: {email!r} is not an e-mail address", field)
            )
    return errors


def validate_capabilities(capabilities: Any) -> list[ErrorItem]:
    field = "capabilities"
    if not isinstance(capabilities, Mapping):
        return [_error("invalid_capabilities", "capabilities are an object", field)]
    unknown = sorted(set(map(str, capabilities)) - set(CAPABILITY_KEYS))
    if unknown:
        return [
            _error(
                "unknown_capability",
                f"unknown capabilities {', '.join(unknown)}; use {', '.join(CAPABILITY_KEYS)}",
                field,
            )
        ]
    errors: list[ErrorItem] = []
    for key in CAPABILITY_LISTS:
        items = capabilities.get(key, [])
        if not (
            isinstance(items, list)
            and len(items) <= MAX_CAPABILITY_ITEMS
            and all(isinstance(v, str) and _SLUG_RE.fullmatch(v) for v in items)
        ):
            errors.append(
                _error(
                    "invalid_capability",
                    f"{key} is a list of lowercase slugs (at most {MAX_CAPABILITY_ITEMS})",
                    f"{field}.{key}",
                )
            )
        elif key == "bag_types" and set(items) - set(BAG_TYPES):
            bad = ", ".join(sorted(set(items) - set(BAG_TYPES)))
            errors.append(_error("unknown_bag_type", f"unknown bag types: {bad}", f"{field}.{key}"))
    for key in CAPABILITY_FLAGS:
        if key in capabilities and not isinstance(capabilities[key], bool):
            errors.append(_error("invalid_capability", f"{key} is true or false", f"{field}.{key}"))
    return errors


def normalized_capabilities(capabilities: Mapping[str, Any]) -> dict[str, Any]:
    """Every key present: lists sorted without repeats, flags false when absent."""
    out: dict[str, Any] = {k: sorted(set(capabilities.get(k, []))) for k in CAPABILITY_LISTS}
    out.update({k: bool(capabilities.get(k, False)) for k in CAPABILITY_FLAGS})
    return out


def validate_price(
    *,
    unit_cost_minor: Any,
    currency: Any,
    moq: Any,
    case_pack: Any,
    lead_time_days: Any,
    valid_from: date | None,
    valid_until: date | None,
) -> list[ErrorItem]:
    errors: list[ErrorItem] = []
    if not _int_in(unit_cost_minor, 0, MAX_MINOR):
        errors.append(
            _error("invalid_unit_cost", "the unit cost is a non-negative amount", "unit_cost")
        )
    if not (isinstance(currency, str) and is_currency(currency)):
        errors.append(
            _error("invalid_currency", f"{currency!r} is not an ISO 4217 currency", "currency")
        )
    if not _int_in(moq, 1, MAX_PACK):
        errors.append(_error("invalid_moq", f"the MOQ is a whole number 1 to {MAX_PACK}", "moq"))
    if not _int_in(case_pack, 1, MAX_PACK):
        errors.append(
            _error(
                "invalid_case_pack", f"the case pack is a whole number 1 to {MAX_PACK}", "case_pack"
            )
        )
    if lead_time_days is not None and not _int_in(lead_time_days, 0, MAX_LEAD_TIME_DAYS):
        errors.append(
            _error(
                "invalid_lead_time",
                f"the lead time is 0 to {MAX_LEAD_TIME_DAYS} days",
                "lead_time_days",
            )
        )
    if valid_from is None:
        errors.append(
            _error("invalid_valid_from", "the price needs a valid-from date", "valid_from")
        )
    elif valid_until is not None and valid_until < valid_from:
        errors.append(
            _error(
                "invalid_validity",
                "the valid-until date cannot be before the valid-from date",
                "valid_until",
            )
        )
    return errors


def validate_certificate(
    kind: str, issuer: str, reference: str, issued_on: date | None, valid_until: date | None
) -> list[ErrorItem]:
    errors: list[ErrorItem] = []
    if kind not in CERTIFICATE_KINDS:
        errors.append(
            _error(
                "unknown_certificate_kind",
                f"kind must be one of {', '.join(CERTIFICATE_KINDS)}",
                "kind",
            )
        )
    if len(issuer) > 200:
        errors.append(_error("invalid_issuer", "the issuer is at most 200 characters", "issuer"))
    if len(reference) > 100:
        errors.append(
            _error("invalid_reference", "the reference is at most 100 characters", "reference")
        )
    if issued_on is not None and valid_until is not None and valid_until < issued_on:
        errors.append(
            _error(
                "invalid_validity",
                "the valid-until date cannot be before the issue date",
                "valid_until",
            )
        )
    return errors
