"""Segments, regions and country-to-region mapping (pure data and rules)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from babel import Locale, UnknownLocaleError

from microbag.errors import ErrorItem

SEGMENTS = ("department_store", "boutique", "distributor", "ecommerce", "brand")

REGIONS = ("us", "europe", "japan_korea", "china", "middle_east", "latin_america", "other")

# What pages print for each code (microbag.display_names; never the code itself).
SEGMENT_NAMES: dict[str, str] = {
    "department_store": "Department store",
    "boutique": "Boutique",
    "distributor": "Distributor",
    "ecommerce": "E-commerce",
    "brand": "Brand",
}
REGION_NAMES: dict[str, str] = {
    "us": "US",
    "europe": "Europe",
    "japan_korea": "Japan and Korea",
    "china": "China",
    "middle_east": "Middle East",
    "latin_america": "Latin America",
    "other": "Other",
}

_REGION_COUNTRIES: dict[str, tuple[str, ...]] = {
    "us": ("US", "CA"),
    "europe": (
        "GB",
        "IE",
        "FR",
        "DE",
        "IT",
        "ES",
        "PT",
        "NL",
        "BE",
        "LU",
        "CH",
        "AT",
        "DK",
        "SE",
        "NO",
        "FI",
        "IS",
        "PL",
        "CZ",
        "SK",
        "HU",
        "GR",
        "CY",
        "MT",
        "LT",
        "LV",
        "EE",
        "SI",
        "HR",
        "RO",
        "BG",
        "RS",
        "UA",
        "MC",
        "CHANNEL ISLANDS",
    ),
    "japan_korea": ("JP", "KR"),
    "china": ("CN", "HK", "TW", "MO"),
    "middle_east": ("AE", "SA", "QA", "KW", "BH", "OM", "IL", "LB", "JO", "TR", "EG"),
    "latin_america": ("MX", "BR", "AR", "CL", "CO", "PE", "UY", "EC", "CR", "PA"),
}

COUNTRY_TO_REGION: dict[str, str] = {
    c: region for region, countries in _REGION_COUNTRIES.items() for c in countries
}


def region_for_country(country: str) -> str:
    return COUNTRY_TO_REGION.get(country.strip().upper(), "other")


# CLDR territory codes that are not assigned ISO 3166-1 alpha-2 country codes.
_NOT_ISO_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    # Babel's territories also hold numeric UN regions ("150") and the codes above.
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(
        code
        for code in codes
        if len(code) == 2 and code.isalpha() and code not in _NOT_ISO_COUNTRIES
    )


def is_country_code(code: str) -> bool:
    """An ISO 3166-1 alpha-2 code in upper case (FR, US, JP...)."""
    return isinstance(code, str) and code in _country_codes()


def is_locale(code: str) -> bool:
    """A locale Babel knows, written like en_US or fr."""
    if not isinstance(code, str) or not code or len(code) > 16:
        return False
    try:
        Locale.parse(code)
    except (ValueError, TypeError, UnknownLocaleError):
        return False
    return True


# ---- payment terms and credit ----------------------------------------------------------------

MAX_NET_DAYS = 180
# Orders that use credit until they are paid (a draft is not yet, a cancelled one no longer).
OPEN_UNPAID_STATUSES = ("placed", "confirmed", "partly_shipped", "shipped", "delivered")


def valid_payment_terms(days: int | None) -> bool:
    """None is prepaid; otherwise net N days, 0 to MAX_NET_DAYS."""
    return days is None or (isinstance(days, int) and 0 <= days <= MAX_NET_DAYS)


def payment_terms_label(days: int | None) -> str:
    return "prepaid" if days is None else f"net {days}"


def credit_applies(payment_terms_days: int | None) -> bool:
    """Prepaid companies pay before shipping: no credit is extended, none is checked."""
    return payment_terms_days is not None


def is_open_unpaid(status: str, paid_at: datetime | None) -> bool:
    return status in OPEN_UNPAID_STATUSES and paid_at is None


def open_unpaid_sum(orders: Iterable[tuple[str, datetime | None, int]]) -> int:
    """Sum of the totals of (status, paid_at, total_minor) orders that still use credit."""
    return sum(total for status, paid_at, total in orders if is_open_unpaid(status, paid_at))


def available_credit(credit_limit_minor: int, open_unpaid_minor: int) -> int:
    """Credit limit minus open unpaid orders, never below zero."""
    return max(credit_limit_minor - open_unpaid_minor, 0)


# ---- trade terms ---------------------------------------------------------------------------

# The Incoterms 2020 rules the seller offers (names below).
INCOTERMS = ("EXW", "FOB", "DAP", "DDP")
INCOTERM_NAMES: dict[str, str] = {
    "EXW": "Ex works (EXW)",
    "FOB": "Free on board (FOB)",
    "DAP": "Delivered at place (DAP)",
    "DDP": "Delivered duty paid (DDP)",
}
DEFAULT_INCOTERM = "DAP"


def is_incoterm(code: object) -> bool:
    return isinstance(code, str) and code in INCOTERMS


# ---- addresses -------------------------------------------------------------------------------

ADDRESS_KINDS = ("billing", "shipping")


@dataclass(frozen=True)
class ShipTo:
    """Where an order goes, copied onto the order so later address edits do not move it."""

    name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str

    def lines(self) -> list[str]:
        """The address as printed on a label or a packing list (empty parts left out)."""
        locality = " ".join(part for part in (self.postal_code, self.city) if part)
        if self.country in POSTCODE_AFTER_CITY:
            locality = " ".join(part for part in (self.city, self.region, self.postal_code) if part)
        elif self.region:
            locality = f"{locality}, {self.region}" if locality else self.region
        candidates = (self.name, self.line1, self.line2, locality, self.country)
        return [line for line in candidates if line]


# Countries that write "City, ST 12345" (US style) rather than "12345 City".
POSTCODE_AFTER_CITY = frozenset({"US", "CA", "AU", "GB", "IE", "KR", "BR", "MX", "SA", "AE"})


# ---- address checks ----------------------------------------------------------------------------

# Postal code formats of the markets microbag sells to (upper-cased, spaces as written by
# the post office). A country missing here accepts any code up to 12 characters; one whose
# value is None has no postal codes (an empty one is expected, a given one is kept).
POSTAL_CODES: dict[str, tuple[str, str] | None] = {
    "US": (r"\d{5}(-\d{4})?", "12345 or 12345-6789"),
    "CA": (r"[A-Z]\d[A-Z] ?\d[A-Z]\d", "A1A 1A1"),
    "GB": (r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}", "SW1A 1AA"),
    "IE": (r"[A-Z]\d[\dW] ?[A-Z\d]{4}", "D02 X285"),
    "DE": (r"\d{5}", "5 digits"),
    "FR": (r"\d{5}", "5 digits"),
    "IT": (r"\d{5}", "5 digits"),
    "ES": (r"\d{5}", "5 digits"),
    "NL": (r"\d{4} ?[A-Z]{2}", "1234 AB"),
    "BE": (r"\d{4}", "4 digits"),
    "AT": (r"\d{4}", "4 digits"),
    "CH": (r"\d{4}", "4 digits"),
    "DK": (r"\d{4}", "4 digits"),
    "PT": (r"\d{4}-\d{3}", "1234-567"),
    "SE": (r"\d{3} ?\d{2}", "123 45"),
    "PL": (r"\d{2}-\d{3}", "12-345"),
    "JP": (r"\d{3}-?\d{4}", "123-4567"),
    "KR": (r"\d{5}", "5 digits"),
    "CN": (r"\d{6}", "6 digits"),
    "SA": (r"\d{5}(-\d{4})?", "5 digits"),
    "MX": (r"\d{5}", "5 digits"),
    "BR": (r"\d{5}-?\d{3}", "12345-678"),
    "AU": (r"\d{4}", "4 digits"),
    "AE": None,
    "HK": None,
    "QA": None,
}


def postal_code_error(country: str, postal_code: str) -> ErrorItem | None:
    """Why ``postal_code`` is not a postal code of ``country`` (None: it is)."""
    code = postal_code.strip().upper()
    rule = POSTAL_CODES.get(country, ("", ""))
    if rule is None:
        return None
    pattern, shape = rule
    if not pattern:
        if len(code) > 12:
            return ErrorItem(
                "invalid_postal_code", "a postal code is at most 12 characters", field="postal_code"
            )
        return None
    if not code:
        return ErrorItem(
            "postal_code_required",
            f"a postal code is needed in {country} ({shape})",
            field="postal_code",
        )
    if re.fullmatch(pattern, code) is None:
        return ErrorItem(
            "invalid_postal_code",
            f"{postal_code!r} is not a postal code of {country} (expected {shape})",
            field="postal_code",
        )
    return None


def address_errors(fields: dict[str, str]) -> list[ErrorItem]:
    """Every problem of an address at once (kind, country, lines, city, postal code)."""
    errors: list[ErrorItem] = []
    if fields.get("kind") not in ADDRESS_KINDS:
        errors.append(
            ErrorItem("invalid_address_kind", "kind is billing or shipping", field="kind")
        )
    country = fields.get("country", "").upper()
    if not is_country_code(country):
        errors.append(
            ErrorItem(
                "invalid_country", f"{country!r} is not an ISO 3166 country code", field="country"
            )
        )
    for name, limit in (("line1", 200), ("city", 100)):
        value = fields.get(name, "").strip()
        if not value:
            errors.append(ErrorItem("required", f"{name} is required", field=name))
        elif len(value) > limit:
            errors.append(
                ErrorItem("too_long", f"{name} is at most {limit} characters", field=name)
            )
    for name, limit in (
        ("label", 80),
        ("name", 200),
        ("line2", 200),
        ("region", 100),
        ("phone", 40),
    ):
        if len(fields.get(name, "")) > limit:
            errors.append(
                ErrorItem("too_long", f"{name} is at most {limit} characters", field=name)
            )
    if is_country_code(country):
        problem = postal_code_error(country, fields.get("postal_code", ""))
        if problem is not None:
            errors.append(problem)
    return errors
