"""Display names: pages print "Japan and Korea" and "Belt bag", never the codes."""

from __future__ import annotations

import pytest

from microbag.accounts.policies import BUYER_ROLES, STAFF_ROLES
from microbag.buyers.policies import REGIONS, SEGMENTS
from microbag.catalog.policies import (
    BAG_TYPES,
    HOLD_ITEMS,
    LIFECYCLES,
    MATERIALS,
    OCCASIONS,
    PRICE_TIERS,
    SIZE_CLASSES,
)
from microbag.compliance.policies import KINDS
from microbag.display_names import display_name
from microbag.orders.policies import STATUSES as ORDER_STATUSES
from microbag.quotes.policies import STATUSES as QUOTE_STATUSES
from microbag.web.render import label_filter

VOCABULARIES = {
    "regions": REGIONS,
    "segments": SEGMENTS,
    "bag types": BAG_TYPES,
    "materials": MATERIALS,
    "price tiers": PRICE_TIERS,
    "occasions": OCCASIONS,
    "size classes": SIZE_CLASSES,
    "lifecycles": LIFECYCLES,
    "holds": HOLD_ITEMS,
    "document kinds": KINDS,
    "order statuses": ORDER_STATUSES,
    "quote statuses": QUOTE_STATUSES,
    "roles": (*STAFF_ROLES, *BUYER_ROLES),
}


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("belt_bag", "Belt bag"),
        ("us", "US"),
        ("latin_america", "Latin America"),
        ("japan_korea", "Japan and Korea"),
        ("middle_east", "Middle East"),
        ("ecommerce", "E-commerce"),
        ("department_store", "Department store"),
        ("pvc", "PVC"),
        ("reach_svhc", "REACH SVHC"),
        ("sku_region", "SKU and region"),
        ("moq_lead_times", "MOQ and lead times"),
        ("iso_9001", "ISO 9001"),
        ("reach_test_report", "REACH test report"),
        ("baby_blue", "Baby blue"),
        (None, ""),
    ],
)
def test_display_names(code, name):
    assert display_name(code) == name
    assert label_filter(code) == name  # the portal's |label filter says the same


@pytest.mark.parametrize("vocabulary", sorted(VOCABULARIES))
def test_every_code_has_a_name_without_underscores(vocabulary):
    for code in VOCABULARIES[vocabulary]:
        name = display_name(code)
        assert name and "_" not in name and name[0].isupper(), (vocabulary, code, name)
