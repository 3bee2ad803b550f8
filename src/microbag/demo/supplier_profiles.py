"""The demo business's suppliers as data: who they are and how they behave.

Factories in Guangdong, Zhejiang, Vietnam, India, Italy and Portugal, and two trading
companies. ``Behaviour`` drives the year of purchase orders (``demo/purchasing.py``):
how often the seller orders, how fast the supplier confirms, how often it ships late
and by how much, short and over deliveries, and defects per unit by class, so the
scorecards have a spread to show: a reliable Tuscan workshop, a cheap Dongguan factory
that ships late with more defects, trading companies that are punctual but dear, and
a Wenzhou factory bad enough to be put on hold.

Vocabularies are the catalog's (``demo.market``: bag types, materials, hardware).
"""

from __future__ import annotations

from dataclasses import dataclass

from microbag.demo.market import BAG_TYPES, HARDWARE, MATERIALS

ALL_TYPES = tuple(BAG_TYPES)
ALL_HARDWARE = tuple(HARDWARE)
LEATHERS = ("calfskin", "lambskin", "patent_leather")
EVENING = ("satin", "velvet")


@dataclass(frozen=True)
class Behaviour:
    # Landed cost as a share of the SKU's target (1.0 = the tier's usual margin).
    price_factor: float
    # Days between two purchase orders to this supplier (before jitter).
    cadence_days: int
    # Share of shipments arriving on or before the promised date; late ones by these days.
    on_time: float
    late_days: tuple[int, int]
    # Hours from "sent" to the supplier's confirmation.
    confirm_hours: tuple[int, int]
    # Shipments split in two; lines delivered short; lines with a case over.
    split_rate: float
    short_rate: float
    over_rate: float
    # POs the supplier never confirms (cancelled by the seller).
    cancel_rate: float
    # Defective units per unit by class (critical, major, minor).
    defects: tuple[float, float, float]
    # Where its defects show, most likely first (inspection.models.DEFECT_KINDS).
    weak_spots: tuple[str, ...]
    # How likely it is to be picked for a style it can make (relative).
    share: float = 1.0
    # The seller stopped ordering this many days ago (0: still ordering).
    on_hold_days: int = 0


@dataclass(frozen=True)
class SupplierProfile:
    code: str
    name: str
    kind: str  # factory | trading_company
    country: str
    region: str
    city: str
    currency: str
    tiers: tuple[str, ...]
    bag_types: tuple[str, ...]
    materials: tuple[str, ...]
    hardware: tuple[str, ...]
    # Customization offered: any of "oem", "odm", "logo", "packaging".
    custom: tuple[str, ...]
    capacity: int  # units a month
    lead_time_days: int
    payment_terms: str
    notes: str
    contacts: tuple[tuple[str, str, str], ...]  # (name, role, phone)
    domain: str
    # (kind, issuer, issued days ago, valid for days or 0 = no expiry, with a file)
    certificates: tuple[tuple[str, str, int, int, bool], ...]
    behaviour: Behaviour

    @property
    def oem(self) -> bool:
        return "oem" in self.custom


FULL_CUSTOM = ("oem", "odm", "logo", "packaging")

# fmt: off
# Behaviours, one per supplier; columns: price factor, cadence days, on-time share, days late,
# hours to confirm, split / short / over / cancel rates, defects per unit (critical, major,
# minor), weak spots, then the share of styles and the on-hold days where they differ.
B = Behaviour
GOOD = B(1.0, 42, 0.86, (2, 10), (6, 36), 0.12, 0.05, 0.05, 0.0, (0.0008, 0.012, 0.028),
         ("stitching", "hardware", "labeling", "zips"))
NANSHAN = B(0.96, 35, 0.8, (3, 14), (4, 30), 0.15, 0.06, 0.06, 0.0, (0.001, 0.016, 0.032),
            ("zips", "hardware", "stitching", "labeling"))
# Cheapest in Guangdong: late more often than not, more defects.
HUMEN = B(0.86, 42, 0.55, (5, 24), (24, 110), 0.3, 0.14, 0.04, 0.04, (0.0025, 0.034, 0.06),
          ("stitching", "hardware", "color", "zips", "dimensions"), share=1.2)
JINHUA = B(0.92, 40, 0.74, (3, 16), (12, 60), 0.15, 0.08, 0.08, 0.0, (0.001, 0.02, 0.04),
           ("labeling", "zips", "stitching", "dimensions"))
# So bad that the seller stopped ordering: its standing reads very poor (new orders blocked).
OUHAI = B(0.88, 38, 0.15, (6, 50), (96, 300), 0.45, 0.4, 0.02, 0.12, (0.015, 0.11, 0.13),
          ("hardware", "odor", "stitching", "zips", "color"), share=1.2, on_hold_days=80)
SAIGON = B(0.97, 45, 0.82, (3, 14), (10, 48), 0.1, 0.05, 0.05, 0.0, (0.0008, 0.012, 0.026),
           ("stitching", "lining", "labeling"))
KANPUR = B(0.9, 56, 0.66, (4, 20), (24, 80), 0.2, 0.1, 0.05, 0.0, (0.0015, 0.024, 0.045),
           ("odor", "color", "stitching", "lining"))
CHENNAI = B(0.95, 50, 0.8, (3, 12), (12, 48), 0.1, 0.05, 0.04, 0.0, (0.0008, 0.015, 0.03),
            ("color", "odor", "stitching"))
# The reliable Tuscan workshop.
FIRENZE = B(1.0, 30, 0.96, (1, 4), (2, 20), 0.05, 0.02, 0.02, 0.0, (0.0002, 0.004, 0.012),
            ("color", "stitching"), share=1.4)
SCANDICCI = B(1.06, 45, 0.88, (2, 8), (8, 40), 0.08, 0.04, 0.0, 0.0, (0.0004, 0.008, 0.02),
              ("hardware", "stitching", "lining"))
FELGUEIRAS = B(0.94, 40, 0.9, (2, 7), (4, 30), 0.06, 0.03, 0.03, 0.0, (0.0004, 0.009, 0.022),
               ("lining", "stitching", "dimensions"))
PORTO = B(0.97, 45, 0.84, (2, 10), (6, 40), 0.08, 0.05, 0.04, 0.0, (0.0008, 0.013, 0.03),
          ("dimensions", "stitching", "labeling"))
# Trading companies: punctual and quick to answer, dearer.
HARBOUR = B(1.14, 35, 0.94, (1, 5), (1, 12), 0.05, 0.03, 0.03, 0.0, (0.0006, 0.011, 0.024),
            ("labeling", "stitching", "zips"), share=0.6)
SILKROAD = B(1.1, 40, 0.9, (1, 6), (2, 16), 0.06, 0.04, 0.04, 0.0, (0.0008, 0.014, 0.03),
             ("labeling", "zips", "stitching"), share=0.6)

P = SupplierProfile
PROFILES: tuple[SupplierProfile, ...] = (
    P("GZ-BAIYUN", "Guangzhou Baiyun Leather Goods Co., Ltd.", "factory",
      "CN", "Guangdong", "Guangzhou", "USD", ("premium", "mass"), ALL_TYPES,
      ("calfskin", "patent_leather", "vegan_leather", "canvas", "satin"),
      ("gold", "silver", "gunmetal", "rose_gold", "matte_black"), FULL_CUSTOM,
      40_000, 42, "30% deposit, 70% against copy of B/L",
      "Shiling leather cluster. Own tannery partner; samples in 10 days.",
      (("Chen Jing", "sales manager", "+86 20 8620 1188"), ("Liang Wei", "QC lead", "")),
      "baiyun-leather.example",
      (("bsci", "amfori BSCI", 300, 730, True), ("iso_9001", "SGS", 500, 1095, True),
       ("reach", "Intertek (REACH SVHC test report)", 90, 365, True)),
      GOOD),
    P("SZ-NANSHAN", "Shenzhen Nanshan Fashion Accessories Co., Ltd.", "factory",
      "CN", "Guangdong", "Shenzhen", "USD", ("premium", "mass"),
      ("mini_crossbody", "belt_bag", "micro_tote", "pouch", "bucket"),
      ("vegan_leather", "nylon", "recycled_fabric", "pvc", "canvas"), ALL_HARDWARE, FULL_CUSTOM,
      60_000, 36, "30% deposit, 70% before shipment",
      "Fast sampling, in-house hardware plating (crystal and pearl trims).",
      (("Huang Mei", "account manager", "+86 755 2661 0420"),), "nanshan-accessories.example",
      (("bsci", "amfori BSCI", 330, 365, True),  # expires within 60 days
       ("reach", "TÜV SÜD (REACH SVHC test report)", 200, 365, False)),
      NANSHAN),
    P("DG-HUMEN", "Dongguan Humen Handbag Manufactory", "factory",
      "CN", "Guangdong", "Dongguan", "CNY", ("premium", "mass"), ALL_TYPES,
      ("calfskin", "vegan_leather", "patent_leather", "pvc", "canvas", "satin"),
      ("gold", "silver", "gunmetal", "matte_black"), ("oem", "logo"),
      50_000, 45, "40% deposit, 60% before shipment",
      "Cheapest quotes in Guangdong; deliveries often slip, check stitching closely.",
      (("Zhang Li", "boss", "+86 769 8555 0311"), ("Wu Fang", "merchandiser", "")),
      "humen-handbags.example", (("iso_9001", "Bureau Veritas", 700, 1095, False),),
      HUMEN),
    P("YW-JINHUA", "Yiwu Jinhua Bag & Accessory Factory", "factory",
      "CN", "Zhejiang", "Yiwu", "CNY", ("mass",),
      ("pouch", "belt_bag", "micro_tote", "mini_crossbody", "bucket"),
      ("nylon", "canvas", "pvc", "raffia", "recycled_fabric", "velvet", "satin"),
      ("silver", "gold", "matte_black", "gunmetal"), ("oem", "logo", "packaging"),
      80_000, 38, "30% deposit, 70% before shipment",
      "Volume pouches and belt bags; packaging printed in-house.",
      (("Lou Jun", "export sales", "+86 579 8512 7700"),), "jinhua-bags.example",
      (("bsci", "amfori BSCI", 20, 365, True),
       ("reach", "SGS (REACH SVHC test report)", 340, 365, True)),  # expiring
      JINHUA),
    P("WZ-OUHAI", "Wenzhou Ouhai Leatherware & Hardware Co.", "factory",
      "CN", "Zhejiang", "Wenzhou", "CNY", ("premium", "mass"),
      ("micro_tote", "mini_crossbody", "belt_bag", "micro_clutch", "pouch"),
      ("vegan_leather", "pvc", "patent_leather", "calfskin", "nylon"), ALL_HARDWARE, ("oem",),
      30_000, 48, "50% deposit, 50% before shipment",
      "On hold since the rejected summer lots (clasps, odor): new orders need the "
      "merchandising lead's sign-off.",
      (("Pan Hao", "sales", "+86 577 8866 2020"),), "ouhai-leatherware.example",
      (("bsci", "amfori BSCI", 420, 365, True),),  # expired
      OUHAI),
    P("VN-SAIGON", "Saigon Bag & Leather JSC", "factory",
      "VN", "Ho Chi Minh City", "Ho Chi Minh City", "USD", ("premium", "mass"),
      ("micro_tote", "mini_crossbody", "belt_bag", "bucket", "pouch"),
      ("canvas", "nylon", "vegan_leather", "recycled_fabric", "calfskin"),
      ("silver", "gold", "gunmetal", "matte_black"), FULL_CUSTOM,
      35_000, 52, "30% deposit, 70% against copy of B/L",
      "EVFTA origin for EU shipments; recycled fabrics with GRS paperwork.",
      (("Nguyen Thi Lan", "sales director", "+84 28 3822 4411"),), "saigonbag.example",
      (("sedex_smeta", "Sedex SMETA 4-pillar audit", 150, 730, True),
       ("iso_9001", "Bureau Veritas", 260, 1095, True)),
      SAIGON),
    P("IN-KANPUR", "Kanpur Leather Exports Pvt. Ltd.", "factory",
      "IN", "Uttar Pradesh", "Kanpur", "INR", ("premium", "mass"),
      ("micro_tote", "mini_crossbody", "belt_bag", "top_handle", "bucket"),
      (*LEATHERS, "canvas"), ("gold", "silver", "gunmetal"), ("oem", "logo"),
      25_000, 62, "Letter of credit at sight",
      "Buffalo and cow leather from its own tannery; ask for the odor treatment.",
      (("Rakesh Verma", "export manager", "+91 512 255 0199"),), "kanpurleather.example",
      (("lwg", "Leather Working Group (Silver)", 250, 365, True),
       ("iso_9001", "TÜV India", 400, 1095, False)),
      KANPUR),
    P("IN-CHENNAI", "Chennai Leather Crafts", "factory",
      "IN", "Tamil Nadu", "Chennai", "USD", ("premium",),
      ("micro_tote", "mini_crossbody", "micro_clutch", "top_handle", "pouch"),
      LEATHERS, ("gold", "silver", "rose_gold", "gunmetal"), FULL_CUSTOM,
      20_000, 56, "30% deposit, 70% against documents",
      "Ambur-Vaniyambadi tanneries; chrome-free leather on request.",
      (("Lakshmi Narayanan", "merchandiser", "+91 44 2434 8870"),),
      "chennaileathercrafts.example",
      (("lwg", "Leather Working Group (Gold)", 100, 730, True),
       ("sedex_smeta", "Sedex SMETA 2-pillar audit", 310, 365, True)),  # expiring
      CHENNAI),
    P("IT-FIRENZE", "Pelletteria Fiorentina S.r.l.", "factory",
      "IT", "Tuscany", "Scandicci (Florence)", "EUR", ("luxury", "premium"), ALL_TYPES,
      LEATHERS + EVENING, ALL_HARDWARE, FULL_CUSTOM,
      4_000, 28, "30 days from invoice",
      "Family workshop making for two Paris houses; hand-painted edges, gold foil.",
      (("Giulia Bianchi", "owner", "+39 055 756 1200"), ("Marco Rossi", "production", "")),
      "pelletteriafiorentina.example",
      (("iso_9001", "DNV", 200, 1095, True),
       ("lwg", "Leather Working Group (Gold)", 150, 730, True),
       ("reach", "Centro Tessile (REACH SVHC test report)", 60, 365, True)),
      FIRENZE),
    P("IT-SCANDICCI", "Atelier Scandicci Pelletterie", "factory",
      "IT", "Tuscany", "Florence", "EUR", ("luxury",),
      ("micro_clutch", "top_handle", "pouch", "mini_crossbody", "bucket"),
      ("calfskin", "lambskin", *EVENING), ("gold", "rose_gold", "crystal", "pearl", "silver"),
      ("oem", "logo", "packaging"),
      2_500, 32, "50% on order, 50% at delivery",
      "Evening and bridal pieces; embroidery and crystal setting by hand.",
      (("Francesca Neri", "sales", "+39 055 735 4410"),), "atelierscandicci.example",
      (("iso_9001", "Bureau Veritas Italia", 600, 1095, False),),
      SCANDICCI),
    P("PT-FELGUEIRAS", "Felgueiras Couro Lda.", "factory",
      "PT", "Norte", "Felgueiras", "EUR", ("luxury", "premium"),
      ("micro_tote", "mini_crossbody", "top_handle", "bucket", "belt_bag"),
      (*LEATHERS, "vegan_leather"), ("gold", "silver", "gunmetal", "matte_black", "rose_gold"),
      FULL_CUSTOM, 6_000, 33, "30 days from invoice",
      "Shoe-and-bag cluster; good with structured shapes and top handles.",
      (("Ana Sousa", "commercial director", "+351 255 312 400"),), "felgueirascouro.example",
      (("sedex_smeta", "Sedex SMETA 4-pillar audit", 400, 450, True),  # expiring
       ("lwg", "Leather Working Group (Silver)", 90, 730, False)),
      FELGUEIRAS),
    P("PT-PORTO", "Porto Bags & Leather Lda.", "factory",
      "PT", "Norte", "Porto", "EUR", ("premium",),
      ("micro_tote", "bucket", "belt_bag", "pouch", "mini_crossbody"),
      ("calfskin", "canvas", "raffia", "recycled_fabric", "vegan_leather"),
      ("silver", "gold", "matte_black"), ("oem", "logo"),
      8_000, 36, "30 days from invoice", "Raffia and canvas summer lines; small runs welcome.",
      (("Tiago Ferreira", "sales", "+351 22 600 1850"),), "portobags.example",
      (("bsci", "amfori BSCI", 120, 730, True),),
      PORTO),
    P("HK-HARBOUR", "Harbour Sourcing Ltd.", "trading_company",
      "HK", "Hong Kong", "Kowloon", "USD", ("premium", "mass"), ALL_TYPES,
      tuple(MATERIALS), ALL_HARDWARE, FULL_CUSTOM,
      100_000, 40, "Net 30 after delivery",
      "Trading company with its own QC team in Guangdong; dearer, rarely late.",
      (("Kelvin Lau", "account director", "+852 2730 5566"), ("Ivy Chan", "QC coordinator", "")),
      "harboursourcing.example",
      (("iso_9001", "HKQAA", 350, 1095, True),
       ("sedex_smeta", "Sedex SMETA audits of its factories", 200, 365, False)),
      HARBOUR),
    P("YW-SILKROAD", "Yiwu Silk Road Trading Co., Ltd.", "trading_company",
      "CN", "Zhejiang", "Yiwu", "USD", ("mass",), ALL_TYPES,
      ("nylon", "canvas", "pvc", "raffia", "recycled_fabric", "vegan_leather"),
      ("silver", "gold", "matte_black", "gunmetal", "rose_gold"), ("oem", "logo", "packaging"),
      120_000, 36, "30% deposit, 70% before shipment",
      "Consolidates Yiwu market factories; one invoice, mixed containers.",
      (("Wang Xiaoyu", "sales", "+86 579 8555 9191"),), "silkroad-trading.example",
      (("bsci", "amfori BSCI audits of its factories", 100, 365, False),),
      SILKROAD),
)
# fmt: on

# Who makes a SKU when its style's suppliers cannot (every priced SKU has an offer).
FALLBACK = {"luxury": "IT-FIRENZE", "premium": "HK-HARBOUR", "mass": "HK-HARBOUR"}
