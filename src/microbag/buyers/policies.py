"""Segments, regions and country-to-region mapping (pure data and rules)."""

from __future__ import annotations

SEGMENTS = ("department_store", "boutique", "distributor", "ecommerce", "brand")

REGIONS = ("us", "europe", "japan_korea", "china", "middle_east", "latin_america", "other")

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
