"""Buyer segments and regions from the market brief, as data.

Source: ``shared/domain/micro-bag-market-article.txt`` (Tables 4, 9, 11, 12, 15).
Preferences are relative weights (1.0 = neutral): what a region or segment favours
is ordered more often. The tables read across: one row per region, one column per
bag type, color family, price tier, hardware finish or size class.
"""

from __future__ import annotations

from dataclasses import dataclass


def _row(keys: tuple[str, ...], *values: float) -> dict[str, float]:
    if len(keys) != len(values):
        raise ValueError(f"{len(values)} values for {len(keys)} columns")
    return dict(zip(keys, values, strict=True))


# --- Segments (Tables 4, 9, 12, 15) ------------------------------------------------


@dataclass(frozen=True)
class SegmentProfile:
    share: float  # of the companies
    reorder_days: int  # mean days between orders
    reorder_jitter: float  # how irregular (lumpy) the intervals are, 0..1
    lines: tuple[int, int]  # order lines per order
    moq_multiple: tuple[int, int]  # quantity per line, in MOQs
    assortment: float  # share of the catalog's styles the company carries
    payment_terms: tuple[int | None, ...]  # None: prepaid; drawn uniformly
    credit_usd: tuple[int, int]  # credit limit range, US dollars
    buyers: tuple[int, int]  # buyer-role users besides the owner


SEGMENTS: dict[str, SegmentProfile] = {
    # Large orders, year-round availability (Table 9: trend novelty, cross-selling).
    "department_store": SegmentProfile(
        share=0.17,
        reorder_days=35,
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
        reorder_days=26,
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
        reorder_days=62,
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
        reorder_days=16,
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
        reorder_days=70,
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
SEGMENT_TIERS: dict[str, dict[str, float]] = {
    #                                  luxury premium mass
    "department_store": _row(TIER_COLUMNS, 1.0, 1.3, 0.8),
    "boutique": _row(TIER_COLUMNS, 1.6, 1.2, 0.35),
    "distributor": _row(TIER_COLUMNS, 0.5, 1.0, 1.6),
    "ecommerce": _row(TIER_COLUMNS, 0.4, 1.1, 1.5),
    "brand": _row(TIER_COLUMNS, 0.8, 1.4, 0.7),
}
SEGMENT_TYPES: dict[str, dict[str, float]] = {
    #                        tote  xbody belt  clutch pouch bucket handle
    "department_store": _row(TYPE_COLUMNS, 1.3, 1.0, 0.9, 1.3, 0.9, 1.0, 1.0),
    "boutique": _row(TYPE_COLUMNS, 1.0, 1.0, 0.7, 1.25, 1.0, 1.0, 1.2),
    "distributor": _row(TYPE_COLUMNS, 0.9, 1.1, 1.3, 0.9, 1.0, 1.0, 0.9),
    "ecommerce": _row(TYPE_COLUMNS, 1.0, 1.2, 1.1, 0.9, 1.2, 1.0, 0.9),
    "brand": _row(TYPE_COLUMNS, 1.2, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
}

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
REGION_TYPES: dict[str, dict[str, float]] = {
    #                   tote  xbody belt  clutch pouch bucket handle
    "us": _row(TYPE_COLUMNS, 1.4, 1.4, 1.0, 1.0, 0.7, 0.8, 0.8),
    "europe": _row(TYPE_COLUMNS, 1.7, 1.1, 0.6, 1.2, 0.8, 1.0, 1.2),
    "japan_korea": _row(TYPE_COLUMNS, 1.1, 1.7, 0.8, 0.7, 1.3, 1.1, 0.9),
    "china": _row(TYPE_COLUMNS, 0.9, 1.5, 1.5, 0.8, 1.1, 1.0, 1.0),
    "middle_east": _row(TYPE_COLUMNS, 0.8, 0.9, 0.35, 2.0, 0.8, 0.7, 1.5),
    "latin_america": _row(TYPE_COLUMNS, 0.9, 1.4, 1.8, 0.8, 0.9, 1.1, 0.7),
}

FAMILY_COLUMNS = ("neutral", "pastel", "vivid", "metallic", "jewel", "bridal")
# Colors: neutral in Europe, pastel and bright in Japan and Korea, gold in the
# Middle East, vibrant in Latin America (Table 11).
REGION_FAMILIES: dict[str, dict[str, float]] = {
    #                     neutral pastel vivid metallic jewel bridal
    "us": _row(FAMILY_COLUMNS, 1.4, 0.8, 0.9, 0.9, 0.8, 0.8),
    "europe": _row(FAMILY_COLUMNS, 2.4, 0.6, 0.5, 0.7, 0.9, 0.9),
    "japan_korea": _row(FAMILY_COLUMNS, 0.7, 2.6, 1.2, 0.5, 0.5, 0.7),
    "china": _row(FAMILY_COLUMNS, 1.0, 1.2, 1.2, 1.0, 1.1, 0.6),
    "middle_east": _row(FAMILY_COLUMNS, 0.7, 0.6, 0.5, 2.6, 1.6, 1.2),
    "latin_america": _row(FAMILY_COLUMNS, 0.6, 0.9, 2.6, 0.9, 1.0, 0.6),
}

# Price tiers: luxury for wealth signalling in the Middle East, volume in China and
# Latin America (Tables 9, 11).
REGION_TIERS: dict[str, dict[str, float]] = {
    #                       luxury premium mass
    "us": _row(TIER_COLUMNS, 0.8, 1.2, 1.0),
    "europe": _row(TIER_COLUMNS, 1.3, 1.2, 0.6),
    "japan_korea": _row(TIER_COLUMNS, 0.9, 1.3, 0.9),
    "china": _row(TIER_COLUMNS, 0.9, 1.0, 1.3),
    "middle_east": _row(TIER_COLUMNS, 2.6, 1.0, 0.25),
    "latin_america": _row(TIER_COLUMNS, 0.45, 1.0, 1.5),
}

HARDWARE_COLUMNS = ("gold", "silver", "gunmetal", "rose_gold", "matte_black", "crystal", "pearl")
# Hardware: gold and crystals in the Middle East (Table 11); minimalist silver in
# Japan and Korea and in Europe.
REGION_HARDWARE: dict[str, dict[str, float]] = {
    #                        gold silver gunmetal rose matte crystal pearl
    "us": _row(HARDWARE_COLUMNS, 1.2, 1.0, 1.0, 0.8, 1.0, 0.6, 0.6),
    "europe": _row(HARDWARE_COLUMNS, 1.0, 1.3, 1.2, 0.6, 1.1, 0.5, 0.7),
    "japan_korea": _row(HARDWARE_COLUMNS, 0.6, 1.4, 0.9, 1.0, 1.0, 0.7, 1.3),
    "china": _row(HARDWARE_COLUMNS, 1.2, 1.0, 1.0, 1.0, 0.9, 1.0, 0.9),
    "middle_east": _row(HARDWARE_COLUMNS, 2.6, 0.5, 0.3, 1.2, 0.3, 2.4, 1.1),
    "latin_america": _row(HARDWARE_COLUMNS, 1.2, 1.0, 0.8, 1.0, 0.9, 0.8, 0.6),
}

SIZE_COLUMNS = ("nano", "micro", "mini", "small")
# Sizes: minimalist micro and nano bags in Japan and Korea; the US and Latin
# America want room for a phone (Sections 3, 7).
REGION_SIZES: dict[str, dict[str, float]] = {
    #                    nano micro mini small
    "us": _row(SIZE_COLUMNS, 0.6, 1.0, 1.3, 1.2),
    "europe": _row(SIZE_COLUMNS, 0.8, 1.2, 1.2, 1.0),
    "japan_korea": _row(SIZE_COLUMNS, 3.0, 1.8, 0.6, 0.3),
    "china": _row(SIZE_COLUMNS, 1.2, 1.3, 1.0, 0.7),
    "middle_east": _row(SIZE_COLUMNS, 0.7, 1.2, 1.2, 1.0),
    "latin_america": _row(SIZE_COLUMNS, 0.7, 1.0, 1.3, 1.2),
}

# Materials: leather and eco alternatives in Europe, fine leathers and evening
# fabrics in the Middle East, light fabrics in Latin America (Tables 10, 14).
REGION_MATERIALS: dict[str, dict[str, float]] = {
    "europe": {
        "calfskin": 1.4,
        "lambskin": 1.3,
        "vegan_leather": 1.3,
        "recycled_fabric": 1.4,
        "pvc": 0.4,
    },
    "middle_east": {
        "calfskin": 1.3,
        "lambskin": 1.5,
        "satin": 1.3,
        "velvet": 1.3,
        "pvc": 0.3,
        "canvas": 0.5,
        "nylon": 0.4,
    },
    "latin_america": {"raffia": 1.5, "canvas": 1.3, "nylon": 1.2},
    "japan_korea": {"nylon": 1.2, "pvc": 1.2},
}

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
