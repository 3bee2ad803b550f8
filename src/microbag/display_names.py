"""Display names: what pages print for vocabulary codes ("Japan and Korea", not
``japan_korea``; "Belt bag", not ``belt_bag``).

Each vocabulary keeps its names beside its codes (buyers.policies: regions and segments;
catalog.policies: the catalog's exceptions; compliance.policies: document kinds). Any
other code reads as its words: underscores become spaces, the first letter a capital.
Pure: no database, no web layer (the portal's ``label`` filter and the dashboard's
charts both call ``display_name``).
"""

from __future__ import annotations

from typing import Any

from microbag.buyers.policies import REGION_NAMES, SEGMENT_NAMES
from microbag.catalog.policies import VOCABULARY_NAMES
from microbag.compliance.policies import KIND_NAMES

# Forecast levels (history.service.LEVELS) and other codes whose words are not the code.
OTHER_NAMES: dict[str, str] = {
    "sku": "SKU",
    "sku_region": "SKU and region",
    "oem": "OEM",
    "odm": "ODM",
    # Supplier criteria (knowledge: supplier_criteria.*) and certificate kinds.
    "quality_capacity": "Quality and capacity",
    "moq_lead_times": "MOQ and lead times",
    "bsci": "BSCI",
    "sedex_smeta": "Sedex SMETA",
    "iso_9001": "ISO 9001",
    "iso_14001": "ISO 14001",
    "lwg": "LWG (Leather Working Group)",
    "grs": "GRS",
    "oeko_tex": "OEKO-TEX",
    "sa8000": "SA8000",
    "wrap": "WRAP",
    "reach_test_report": "REACH test report",
    "trading_company": "Trading company",
    "vat_number": "VAT number",  # an audited company field (buyers.tax_identity)
}

NAMES: dict[str, str] = {
    **OTHER_NAMES,
    **VOCABULARY_NAMES,
    **KIND_NAMES,
    **SEGMENT_NAMES,
    **REGION_NAMES,
}


def display_name(code: Any) -> str:
    """The display name of a code; empty for None."""
    if code is None:
        return ""
    text = str(code)
    if text in NAMES:
        return NAMES[text]
    words = text.replace("_", " ").strip()
    return words[:1].upper() + words[1:]
