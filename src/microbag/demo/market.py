"""The demo business's products, prices and seasons, on top of the market brief.

The brief's own weights (which occasions and price tiers each bag type and material
suits, order intake per month, occasions and color families per month) are read from
microbag's knowledge file (``microbag/knowledge/brief.toml``), the one source shared
with the planning priors; buyer segments and regions are in ``regions.py``. What is
here is the demo seller's own: catalog shares, sizes, price factors, codes, terms.

Weights are relative (1.0 = neutral); a region or segment multiplies the weights of
the things it favours.
"""

from __future__ import annotations

from dataclasses import dataclass

from microbag.knowledge.facts import shipped_knowledge

_KNOWLEDGE = shipped_knowledge()


def _row(table: str, row: str) -> dict[str, float]:
    return dict(_KNOWLEDGE.table(table)[row])


def _months(table: str, row: str = "") -> tuple[float, ...]:
    return tuple(_KNOWLEDGE.table(table)[row])


# --- Products ---------------------------------------------------------------------

MAIN_BAG_TYPES = ("micro_tote", "mini_crossbody", "belt_bag", "micro_clutch")  # Table 4


@dataclass(frozen=True)
class BagTypeSpec:
    label: str
    code: str  # style code prefix
    share: float  # share of the catalog's styles
    width_mm: tuple[int, int]
    height_mm: tuple[int, int]
    depth_mm: tuple[int, int]
    weight_g: tuple[int, int]  # at the middle of the size range, in leather
    price_factor: float
    # Occasion tags and how likely each is for the type (knowledge: type_occasions).
    occasions: dict[str, float]
    # Price tier mix of the type's styles (knowledge: type_tiers).
    tiers: dict[str, float]
    lining: tuple[str, ...] = ("microsuede", "cotton twill")


BAG_TYPES: dict[str, BagTypeSpec] = {
    # Micro totes: shrunken work totes, Europe and North America (Tables 4, 11).
    "micro_tote": BagTypeSpec(
        label="Micro Tote",
        code="MT",
        share=0.22,
        width_mm=(80, 200),
        height_mm=(70, 160),
        depth_mm=(35, 90),
        weight_g=(110, 360),
        price_factor=1.0,
        occasions=_row("type_occasions", "micro_tote"),
        tiers=_row("type_tiers", "micro_tote"),
    ),
    # Mini crossbodies: hands-free, Asian urban shoppers, festivals (Tables 4, 5, 7).
    "mini_crossbody": BagTypeSpec(
        label="Mini Crossbody",
        code="CB",
        share=0.24,
        width_mm=(110, 220),
        height_mm=(80, 160),
        depth_mm=(35, 80),
        weight_g=(140, 420),
        price_factor=1.0,
        occasions=_row("type_occasions", "mini_crossbody"),
        tiers=_row("type_tiers", "mini_crossbody"),
    ),
    # Belt bags: athleisure, festivals, youth and sports markets (Tables 4, 7).
    "belt_bag": BagTypeSpec(
        label="Belt Bag",
        code="BB",
        share=0.15,
        width_mm=(150, 230),
        height_mm=(80, 140),
        depth_mm=(40, 75),
        weight_g=(120, 320),
        price_factor=0.85,
        occasions=_row("type_occasions", "belt_bag"),
        tiers=_row("type_tiers", "belt_bag"),
        lining=("recycled polyester", "nylon ripstop"),
    ),
    # Micro clutches: evening, formal, bridal; luxury boutiques (Tables 4, 6).
    "micro_clutch": BagTypeSpec(
        label="Micro Clutch",
        code="MC",
        share=0.19,
        width_mm=(95, 190),
        height_mm=(55, 110),
        depth_mm=(30, 55),
        weight_g=(90, 260),
        price_factor=1.1,
        occasions=_row("type_occasions", "micro_clutch"),
        tiers=_row("type_tiers", "micro_clutch"),
        lining=("satin", "lambskin", "microsuede"),
    ),
    "pouch": BagTypeSpec(
        label="Nano Pouch",
        code="PO",
        share=0.07,
        width_mm=(85, 160),
        height_mm=(50, 120),
        depth_mm=(30, 50),
        weight_g=(40, 140),
        price_factor=0.7,
        occasions=_row("type_occasions", "pouch"),
        tiers=_row("type_tiers", "pouch"),
    ),
    "bucket": BagTypeSpec(
        label="Mini Bucket",
        code="BK",
        share=0.07,
        width_mm=(90, 170),
        height_mm=(110, 190),
        depth_mm=(90, 160),
        weight_g=(150, 380),
        price_factor=1.0,
        occasions=_row("type_occasions", "bucket"),
        tiers=_row("type_tiers", "bucket"),
    ),
    "top_handle": BagTypeSpec(
        label="Top Handle",
        code="TH",
        share=0.06,
        width_mm=(110, 210),
        height_mm=(80, 150),
        depth_mm=(45, 90),
        weight_g=(160, 420),
        price_factor=1.1,
        occasions=_row("type_occasions", "top_handle"),
        tiers=_row("type_tiers", "top_handle"),
    ),
}

OCCASIONS = ("casual", "formal", "festival", "commute", "bridal")

PRICE_TIERS = ("luxury", "premium", "mass")


@dataclass(frozen=True)
class MaterialSpec:
    tiers: dict[str, float]  # how likely a style of that tier uses it (knowledge: material_tiers)
    price_factor: float
    weight_factor: float
    eco: bool = False


MATERIALS: dict[str, MaterialSpec] = {
    "calfskin": MaterialSpec(_row("material_tiers", "calfskin"), 1.25, 1.0),
    "lambskin": MaterialSpec(_row("material_tiers", "lambskin"), 1.35, 0.85),
    "patent_leather": MaterialSpec(_row("material_tiers", "patent_leather"), 1.2, 1.05),
    "satin": MaterialSpec(_row("material_tiers", "satin"), 1.0, 0.6),
    "velvet": MaterialSpec(_row("material_tiers", "velvet"), 1.05, 0.7),
    "vegan_leather": MaterialSpec(_row("material_tiers", "vegan_leather"), 0.9, 0.9, eco=True),
    "recycled_fabric": MaterialSpec(_row("material_tiers", "recycled_fabric"), 0.8, 0.6, eco=True),
    "canvas": MaterialSpec(_row("material_tiers", "canvas"), 0.75, 0.7),
    "nylon": MaterialSpec(_row("material_tiers", "nylon"), 0.7, 0.5),
    "raffia": MaterialSpec(_row("material_tiers", "raffia"), 0.85, 0.55),
    "pvc": MaterialSpec(_row("material_tiers", "pvc"), 0.6, 0.8),
}

# Colors: name -> (three-letter code, family). Families carry the regional preferences.
COLORS: dict[str, tuple[str, str]] = {
    "black": ("BLK", "neutral"),
    "ivory": ("IVR", "neutral"),
    "tan": ("TAN", "neutral"),
    "taupe": ("TPE", "neutral"),
    "camel": ("CML", "neutral"),
    "chocolate": ("CHO", "neutral"),
    "grey": ("GRY", "neutral"),
    "white": ("WHT", "neutral"),
    "blush": ("BLS", "pastel"),
    "lilac": ("LIL", "pastel"),
    "mint": ("MNT", "pastel"),
    "baby_blue": ("BBL", "pastel"),
    "butter": ("BTR", "pastel"),
    "peach": ("PCH", "pastel"),
    "red": ("RED", "vivid"),
    "fuchsia": ("FUC", "vivid"),
    "cobalt": ("COB", "vivid"),
    "orange": ("ORG", "vivid"),
    "lime": ("LIM", "vivid"),
    "turquoise": ("TRQ", "vivid"),
    "sunflower": ("SUN", "vivid"),
    "gold": ("GLD", "metallic"),
    "silver": ("SLV", "metallic"),
    "champagne": ("CHP", "metallic"),
    "rose_gold": ("RSG", "metallic"),
    "emerald": ("EMR", "jewel"),
    "sapphire": ("SPH", "jewel"),
    "burgundy": ("BRG", "jewel"),
    "amethyst": ("AMT", "jewel"),
    "pearl": ("PRL", "bridal"),
}
COLOR_FAMILIES = ("neutral", "pastel", "vivid", "metallic", "jewel", "bridal")

# Material codes in SKU codes.
MATERIAL_CODES: dict[str, str] = {
    "calfskin": "CA",
    "lambskin": "LA",
    "patent_leather": "PT",
    "satin": "SA",
    "velvet": "VE",
    "vegan_leather": "VG",
    "recycled_fabric": "RC",
    "canvas": "CV",
    "nylon": "NY",
    "raffia": "RF",
    "pvc": "PV",
}

# Hardware finishes: name -> (one-letter code, price factor). Table 10: sturdy metal.
HARDWARE: dict[str, tuple[str, float]] = {
    "gold": ("G", 1.05),
    "silver": ("S", 1.0),
    "gunmetal": ("M", 1.0),
    "rose_gold": ("R", 1.05),
    "matte_black": ("K", 1.0),
    "crystal": ("C", 1.2),  # crystal-studded (Tables 6, 11)
    "pearl": ("P", 1.12),  # pearl clutches for weddings (Table 6)
}

# Price factor by size class (catalog.policies.size_class: longest side <=100 nano,
# <=160 micro, <=230 mini, else small).
SIZE_PRICE_FACTOR = {"nano": 0.85, "micro": 1.0, "mini": 1.1, "small": 1.2}

# --- Prices -----------------------------------------------------------------------


@dataclass(frozen=True)
class TierTerms:
    """Wholesale price range and quantity terms of a price tier (Tables 9, 13, 15)."""

    base_usd_cents: tuple[int, int]  # first-tier unit price of a style, in US cents
    case_packs: tuple[int, ...]
    moq_cases: int  # MOQ in case packs
    breaks: tuple[int, ...]  # further quantity breaks (multiples of every case pack)
    discounts: tuple[float, ...]  # off the first price, one per further break


TIER_TERMS: dict[str, TierTerms] = {
    # Luxury: small MOQ, shallow breaks, high margin.
    "luxury": TierTerms((14_000, 52_000), (1, 2), 2, (6, 12, 24), (0.04, 0.08, 0.12)),
    "premium": TierTerms((3_600, 14_000), (3, 6), 2, (24, 60, 120), (0.07, 0.12, 0.16)),
    # Mass: volume-driven, deep breaks (Table 9: low margin, high turnover).
    "mass": TierTerms((700, 2_800), (12,), 2, (96, 240, 480), (0.08, 0.15, 0.2)),
}


@dataclass(frozen=True)
class CurrencySpec:
    per_usd: float  # units of the currency per US dollar (fixed demo rates)
    step_minor: int  # prices rounded to this many minor units
    default_mov_minor: int  # minimum order value of the default list
    locale: str


CURRENCIES: dict[str, CurrencySpec] = {
    "USD": CurrencySpec(1.0, 25, 50_000, "en_US"),
    "EUR": CurrencySpec(0.92, 25, 45_000, "fr_FR"),
    "GBP": CurrencySpec(0.79, 25, 40_000, "en_GB"),
    "JPY": CurrencySpec(150.0, 10, 75_000, "ja_JP"),
    "KRW": CurrencySpec(1380.0, 100, 700_000, "ko_KR"),
}


@dataclass(frozen=True)
class PriceListRule:
    """How one price list derives from the base prices."""

    name: str
    currency: str
    segment: str | None = None
    company: str | None = None  # a company name (a negotiated contract list)
    discount: float = 0.0
    moq_cases: int | None = None  # overrides the tier's MOQ (in case packs)
    mov_usd_cents: int | None = None  # minimum order value; default: the currency's


PRICE_LIST_RULES: tuple[PriceListRule, ...] = (
    PriceListRule("Wholesale USD", "USD"),
    PriceListRule("Wholesale EUR", "EUR"),
    PriceListRule("Wholesale GBP", "GBP"),
    PriceListRule("Wholesale JPY", "JPY"),
    PriceListRule("Wholesale KRW", "KRW"),
    # Distributors buy by the carton for a deeper discount (Table 9: volume-driven).
    PriceListRule(
        "Distributor USD",
        "USD",
        segment="distributor",
        discount=0.12,
        moq_cases=6,
        mov_usd_cents=500_000,
    ),
    PriceListRule(
        "Distributor EUR",
        "EUR",
        segment="distributor",
        discount=0.12,
        moq_cases=6,
        mov_usd_cents=500_000,
    ),
    # E-commerce sellers: low MOQ, frequent restock (Table 12).
    PriceListRule(
        "E-commerce USD",
        "USD",
        segment="ecommerce",
        discount=0.0,
        moq_cases=1,
        mov_usd_cents=25_000,
    ),
    PriceListRule(
        "E-commerce EUR",
        "EUR",
        segment="ecommerce",
        discount=0.0,
        moq_cases=1,
        mov_usd_cents=25_000,
    ),
)

# --- Seasons ----------------------------------------------------------------------

# Order intake per calendar month (B2B buyers order ahead of the consumer season):
# holiday stock in Oct-Nov (Q4 peak), summer and wedding season in spring, a
# January lull (Sections 6, 12).
MONTH_DEMAND = _months("month_demand")

# Occasion boosts per month (index 0 = January): weddings in spring and early
# summer, festivals in summer, formal events at the holidays (Sections 6, 7, 12).
OCCASION_MONTH_BOOST: dict[str, tuple[float, ...]] = {
    o: _months("occasion_months", o) for o in _KNOWLEDGE.table("occasion_months")
}

# Color families per month: metallic and jewel tones for the holidays, pastels in
# spring, vivid colors in summer, leather neutrals in autumn (Section 12).
COLOR_MONTH_BOOST: dict[str, tuple[float, ...]] = {
    f: _months("color_family_months", f) for f in _KNOWLEDGE.table("color_family_months")
}

# --- Operations -------------------------------------------------------------------

WAREHOUSES: tuple[tuple[str, str, str], ...] = (
    ("US-NJ", "New Jersey distribution centre", "US"),
    ("EU-NL", "Venlo European hub", "NL"),
    ("ASIA-HK", "Hong Kong Asia hub", "HK"),
)

# Demo sign-ins: the same password for every demo user (printed by `demo load`).
DEMO_PASSWORD = "microbag-demo-2026"  # noqa: S105 - documented demo credential
SELLER_DOMAIN = "microbag.example"
