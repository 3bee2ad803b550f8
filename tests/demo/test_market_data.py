"""The encoded market brief is complete and consistent (no database needed)."""

from __future__ import annotations

import random
from datetime import date

import pytest

from microbag.buyers.policies import region_for_country
from microbag.catalog.policies import MATERIALS as CATALOG_MATERIALS
from microbag.catalog.policies import is_slug
from microbag.demo.catalog import SkuRec, StyleRec
from microbag.demo.market import (
    BAG_TYPES,
    COLORS,
    HARDWARE,
    MAIN_BAG_TYPES,
    MATERIALS,
    MONTH_DEMAND,
    PRICE_LIST_RULES,
    TIER_TERMS,
)
from microbag.demo.prices import sku_terms
from microbag.demo.regions import (
    FAMILY_COLUMNS,
    HARDWARE_COLUMNS,
    REGION_FAMILIES,
    REGION_HARDWARE,
    REGION_SIZES,
    REGION_TIERS,
    REGION_TYPES,
    REGIONS,
    SEGMENT_TIERS,
    SEGMENT_TYPES,
    SEGMENTS,
    TYPE_COLUMNS,
)
from microbag.money import is_currency
from microbag.pricing.policies import validate_terms


def test_vocabularies_match_the_catalog():
    assert set(MAIN_BAG_TYPES) <= set(BAG_TYPES)
    assert set(TYPE_COLUMNS) == set(BAG_TYPES)
    assert set(MATERIALS) <= set(CATALOG_MATERIALS)
    assert all(is_slug(c) for c in COLORS) and all(is_slug(h) for h in HARDWARE)
    assert set(HARDWARE_COLUMNS) == set(HARDWARE)
    assert {family for _, family in COLORS.values()} == set(FAMILY_COLUMNS)
    assert abs(sum(t.share for t in BAG_TYPES.values()) - 1) < 1e-9
    assert len({t.code for t in BAG_TYPES.values()}) == len(BAG_TYPES)


def test_every_region_has_a_full_preference_row():
    for table in (REGION_TYPES, REGION_FAMILIES, REGION_TIERS, REGION_HARDWARE, REGION_SIZES):
        assert set(table) == set(REGIONS)
        columns = {frozenset(row) for row in table.values()}
        assert len(columns) == 1, "every row has the same columns"
    assert set(SEGMENT_TIERS) == set(SEGMENTS) == set(SEGMENT_TYPES)


def test_countries_belong_to_their_region_and_have_a_price_list():
    default_currencies = {r.currency for r in PRICE_LIST_RULES if r.segment is None}
    for region, profile in REGIONS.items():
        for country in profile.countries:
            assert region_for_country(country.code) == region
            assert is_currency(country.currency)
            assert country.currency in default_currencies
    assert {"USD", "EUR", "JPY", "KRW"} <= default_currencies
    assert sum(p.companies for p in REGIONS.values()) >= 80


def test_the_holidays_are_the_busiest_months():
    assert max(MONTH_DEMAND) == MONTH_DEMAND[10]  # November
    assert sum(MONTH_DEMAND[9:12]) > sum(MONTH_DEMAND[0:3])


@pytest.mark.parametrize("rule", PRICE_LIST_RULES, ids=lambda r: r.name)
def test_terms_hold_the_pricing_invariants_for_any_price(rule):
    rng = random.Random(rule.name)
    for tier, terms in TIER_TERMS.items():
        for case_pack in terms.case_packs:
            for _ in range(200):
                style = StyleRec(
                    1, "X", "X", "micro_tote", tier, "micro", ("casual",), "all_season",
                    date(2026, 1, 1), None, "active", False, None, 1.0, case_pack, 0,
                )  # fmt: skip
                low, high = terms.base_usd_cents
                sku = SkuRec(
                    1, "X-1", style, "black", "neutral", "calfskin", "gold", "active",
                    date(2026, 1, 1), None, rng.randint(low // 2, high * 2), 1.0,
                )  # fmt: skip
                moq, pack, tiers = sku_terms(sku, rule)
                assert validate_terms(moq, pack, tiers) == []
                assert moq == pack * (rule.moq_cases or terms.moq_cases)
