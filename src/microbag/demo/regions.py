"""Buyer segments and regions of the demo business.

The preferences (what each segment and region orders more of) are the market brief's,
read from microbag's knowledge file (``microbag/knowledge/brief.toml``, one source for
the demo and for the planning priors): relative weights, 1.0 = neutral. The tables read
across: one row per region or segment, one column per bag type, color family, price
tier, hardware finish or size class. The demo reads the shipped file, never staff
edits, so the demo data stays deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

from microbag.knowledge.facts import shipped_knowledge


def _table(name: str) -> dict[str, dict[str, float]]:
    """A preference table of the knowledge file as plain dicts (file order kept)."""
    return {row: dict(value) for row, value in shipped_knowledge().table(name).items()}


# --- Segments (Tables 4, 9, 12, 15) ------------------------------------------------


@dataclass(frozen=True)
class SegmentProfile:
    share: float  # of the companies
    reorder_days: int  # mean days between orders (the knowledge file's restock_days)
    reorder_jitter: float  # how irregular (lumpy) the intervals are, 0..1
    lines: tuple[int, int]  # order lines per order
    moq_multiple: tuple[int, int]  # quantity per line, in MOQs
    assortment: float  # share of the catalog's styles the company carries
    payment_terms: tuple[int | None, ...]  # None: prepaid; drawn uniformly
    credit_usd: tuple[int, int]  # credit limit range, US dollars
    buyers: tuple[int, int]  # buyer-role users besides the owner


# Days between a segment's orders: the price models' restock_days (Tables 9, 12).
_RESTOCK = {s: int(v["restock_days"]) for s, v in shipped_knowledge().table("price_model").items()}

SEGMENTS: dict[str, SegmentProfile] = {
    # Large orders, year-round availability (Table 9: trend novelty, cross-selling).
    "department_store": SegmentProfile(
        share=0.17,
        reorder_days=_RESTOCK["department_store"],
        reorder_jitter=0.3,
        lines=(6, 16),
        moq_multiple=(3, 8),
        assortment=0.45,
        payment_terms=(60, 60, 90),
        credit_usd=(150_000, 400_000),
        buyers=(2, 3),
    ),
    # Small, frequent orders; luxury clutches (Table 4).
    "boutique": SegmentProfile(
        share=0.32,
        reorder_days=_RESTOCK["boutique"],
        reorder_jitter=0.35,
        lines=(2, 5),
        moq_multiple=(1, 2),
        assortment=0.18,
        payment_terms=(None, 30, 30, 30),
        credit_usd=(15_000, 40_000),
        buyers=(0, 1),
    ),
    # Big, lumpy orders; volume-driven (Table 9).
    "distributor": SegmentProfile(
        share=0.18,
        reorder_days=_RESTOCK["distributor"],
        reorder_jitter=0.6,
        lines=(8, 22),
        moq_multiple=(1, 4),
        assortment=0.4,
        payment_terms=(30, 60, 60, 90),
        credit_usd=(250_000, 600_000),
        buyers=(1, 2),
    ),
    # Many SKUs, frequent restock, low margin (Tables 9, 12).
    "ecommerce": SegmentProfile(
        share=0.22,
        reorder_days=_RESTOCK["ecommerce"],
        reorder_jitter=0.3,
        lines=(3, 9),
        moq_multiple=(1, 4),
        assortment=0.5,
        payment_terms=(None, None, 30),
        credit_usd=(25_000, 80_000),
        buyers=(1, 2),
    ),
    # Brands source for collaborations and bundles (Tables 7, 15): few, steady orders.
    "brand": SegmentProfile(
        share=0.11,
        reorder_days=_RESTOCK["brand"],
        reorder_jitter=0.4,
        lines=(1, 4),
        moq_multiple=(2, 6),
        assortment=0.08,
        payment_terms=(30, 60),
        credit_usd=(60_000, 150_000),
        buyers=(1, 1),
    ),
}

TIER_COLUMNS = ("luxury", "premium", "mass")
TYPE_COLUMNS = (
    "micro_tote",
    "mini_crossbody",
    "belt_bag",
    "micro_clutch",
    "pouch",
    "bucket",
    "top_handle",
)

# What each segment buys more of (Tables 4, 9).
SEGMENT_TIERS = _table("segment_tiers")
SEGMENT_TYPES = _table("segment_types")

# --- Regions (Tables 4, 9, 10, 11, 14) -------------------------------------------


@dataclass(frozen=True)
class Country:
    code: str
    currency: str
    locale: str
    cities: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class RegionProfile:
    companies: int  # in the demo
    warehouse: str  # the warehouse that ships there
    countries: tuple[Country, ...]
    segments: dict[str, float]  # multiplies the segment shares


REGIONS: dict[str, RegionProfile] = {
    "us": RegionProfile(
        20,
        "US-NJ",
        (
            Country(
                "US",
                "USD",
                "en_US",
                ("New York", "Los Angeles", "Chicago", "Miami", "Dallas", "Seattle", "Atlanta"),
                0.88,
            ),
            Country("CA", "USD", "en_CA", ("Toronto", "Vancouver", "Montreal"), 0.12),
        ),
        {"department_store": 1.3},
    ),
    "europe": RegionProfile(
        26,
        "EU-NL",
        (
            Country("FR", "EUR", "fr_FR", ("Paris", "Lyon", "Marseille", "Bordeaux"), 0.22),
            Country("IT", "EUR", "it_IT", ("Milan", "Rome", "Florence"), 0.16),
            Country("DE", "EUR", "de_DE", ("Berlin", "Munich", "Hamburg", "Düsseldorf"), 0.16),
            Country("GB", "GBP", "en_GB", ("London", "Manchester", "Edinburgh"), 0.18),
            Country("ES", "EUR", "es_ES", ("Madrid", "Barcelona", "Valencia"), 0.1),
            Country("NL", "EUR", "nl_NL", ("Amsterdam", "Rotterdam"), 0.08),
            Country("SE", "EUR", "sv_SE", ("Stockholm", "Gothenburg"), 0.05),
            Country("BE", "EUR", "fr_BE", ("Brussels", "Antwerp"), 0.05),
        ),
        {"boutique": 1.3},
    ),
    "japan_korea": RegionProfile(
        16,
        "ASIA-HK",
        (
            Country("JP", "JPY", "ja_JP", ("Tokyo", "Osaka", "Kyoto", "Fukuoka"), 0.55),
            Country("KR", "KRW", "ko_KR", ("Seoul", "Busan", "Incheon"), 0.45),
        ),
        {"ecommerce": 1.3},
    ),
    "china": RegionProfile(
        12,
        "ASIA-HK",
        (
            Country(
                "CN",
                "USD",
                "zh_Hans_CN",
                ("Shanghai", "Beijing", "Shenzhen", "Hangzhou", "Guangzhou"),
                0.7,
            ),
            Country("HK", "USD", "zh_Hant_HK", ("Hong Kong",), 0.2),
            Country("TW", "USD", "zh_Hant_TW", ("Taipei",), 0.1),
        ),
        {"distributor": 1.4, "ecommerce": 1.3},
    ),
    "middle_east": RegionProfile(
        12,
        "EU-NL",
        (
            Country("AE", "USD", "ar_AE", ("Dubai", "Abu Dhabi"), 0.5),
            Country("SA", "USD", "ar_SA", ("Riyadh", "Jeddah"), 0.3),
            Country("QA", "USD", "ar_QA", ("Doha",), 0.12),
            Country("KW", "USD", "ar_KW", ("Kuwait City",), 0.08),
        ),
        {"department_store": 1.3, "boutique": 1.3, "ecommerce": 0.6},
    ),
    "latin_america": RegionProfile(
        12,
        "US-NJ",
        (
            Country("MX", "USD", "es_MX", ("Mexico City", "Guadalajara", "Monterrey"), 0.4),
            Country("BR", "USD", "pt_BR", ("São Paulo", "Rio de Janeiro"), 0.32),
            Country("CO", "USD", "es_CO", ("Bogotá", "Medellín"), 0.14),
            Country("CL", "USD", "es_CL", ("Santiago",), 0.14),
        ),
        {},
    ),
}

# Bag types: micro totes in Europe and the US, crossbodies in Asia, belt bags in Latin
# America and with Chinese distributors, clutches in the Middle East (Tables 4, 9, 11).
REGION_TYPES = _table("region_types")

FAMILY_COLUMNS = ("neutral", "pastel", "vivid", "metallic", "jewel", "bridal")
# Colors: neutral in Europe, pastel and bright in Japan and Korea, gold in the
# Middle East, vibrant in Latin America (Table 11).
REGION_FAMILIES = _table("region_color_families")

# Price tiers: luxury for wealth signalling in the Middle East, volume in China and
# Latin America (Tables 9, 11).
REGION_TIERS = _table("region_tiers")

HARDWARE_COLUMNS = ("gold", "silver", "gunmetal", "rose_gold", "matte_black", "crystal", "pearl")
# Hardware: gold and crystals in the Middle East (Table 11); minimalist silver in
# Japan and Korea and in Europe.
REGION_HARDWARE = _table("region_hardware")

SIZE_COLUMNS = ("nano", "micro", "mini", "small")
# Sizes: minimalist micro and nano bags in Japan and Korea; the US and Latin
# America want room for a phone (Sections 3, 7).
REGION_SIZES = _table("region_sizes")

# Materials: leather and eco alternatives in Europe, fine leathers and evening
# fabrics in the Middle East, light fabrics in Latin America (Tables 10, 14).
REGION_MATERIALS = _table("region_materials")

# --- Featured accounts -------------------------------------------------------------


@dataclass(frozen=True)
class FeaturedCompany:
    """A company with fixed, documented sign-ins (the demo logins)."""

    region: str
    segment: str
    name: str
    country: str
    city: str
    owner: tuple[str, str]  # first and last name
    contract_discount: float | None = None  # a negotiated price list, if any


FEATURED_COMPANIES = (
    FeaturedCompany("europe", "boutique", "Atelier Lumière", "FR", "Paris", ("Camille", "Laurent")),
    FeaturedCompany(
        "us", "department_store", "Hudson & Pine", "US", "New York", ("Olivia", "Bennett"), 0.06
    ),
)

# Further negotiated contract lists: (region, segment, discount, MOQ in case packs),
# given to the first company matching region and segment.
CONTRACTS: tuple[tuple[str, str, float, int | None], ...] = (
    ("japan_korea", "distributor", 0.1, 4),
    ("japan_korea", "ecommerce", 0.03, 1),
    ("middle_east", "department_store", 0.05, None),
)
