"""Pure catalog rules: size classes, vocabularies, lifecycle, dimensions, what fits inside.

Nothing here touches the database, so every rule is unit-testable on its own.

Size classes (by the longest outer side, integer millimetres; see docs/catalog.md):

============  =================  ==========================================================
class         longest side       what the market brief means by it
============  =================  ==========================================================
``nano``      up to 100 mm       novelty "barely holds a lipstick" bags (Jacquemus Chiquito)
``micro``     101 to 160 mm      micro clutches and totes: cards, keys, lipstick
``mini``      161 to 230 mm      mini crossbodies that take a phone (6pm's "Aidie Mini Flap
                                 Crossbody" is 171 mm wide)
``small``     above 230 mm       compact but no longer a micro bag
============  =================  ==========================================================

The longest side decides because it is what a buyer compares ("is it smaller than
a phone?") and it does not depend on how the supplier orients W x H.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

from microbag.errors import ErrorItem

# ---- size classes -------------------------------------------------------------------------------

SizeClass = Literal["nano", "micro", "mini", "small"]
SIZE_CLASSES: tuple[str, ...] = get_args(SizeClass)
# Upper bound (inclusive) of the longest outer side per class; "small" has none.
SIZE_CLASS_MAX_MM: dict[str, int] = {"nano": 100, "micro": 160, "mini": 230}


def size_class(width_mm: int, height_mm: int, depth_mm: int) -> str:
    """The size class of a bag from its outer dimensions (longest side decides)."""
    longest = max(width_mm, height_mm, depth_mm)
    for name, upper in SIZE_CLASS_MAX_MM.items():
        if longest <= upper:
            return name
    return "small"


# ---- vocabularies ------------------------------------------------------------------------------

# The four types the market brief names as dominating; any other lowercase slug is accepted.
MAIN_BAG_TYPES: tuple[str, ...] = ("micro_tote", "mini_crossbody", "belt_bag", "micro_clutch")
# Further types the catalog knows (suggestions for forms; the list stays open).
OTHER_BAG_TYPES: tuple[str, ...] = (
    "pouch",
    "bucket",
    "top_handle",
    "shoulder",
    "phone_bag",
    "wristlet",
    "card_case",
    "bag_charm",
    "backpack",
    "saddle",
    "baguette",
    "flap",
)
BAG_TYPES: tuple[str, ...] = MAIN_BAG_TYPES + OTHER_BAG_TYPES

Material = Literal[
    "calfskin",
    "lambskin",
    "goatskin",
    "exotic_leather",
    "patent_leather",
    "suede",
    "vegan_leather",
    "recycled_fabric",
    "canvas",
    "denim",
    "cotton",
    "linen",
    "nylon",
    "polyester",
    "pvc",
    "satin",
    "velvet",
    "silk",
    "tweed",
    "raffia",
    "straw",
    "crochet",
    "faux_fur",
    "sequin",
    "beaded",
    "crystal",
    "acrylic",
    "metal",
]
MATERIALS: tuple[str, ...] = get_args(Material)
# Common spellings in suppliers' files mapped onto the vocabulary.
MATERIAL_ALIASES: dict[str, str] = {
    "pu": "vegan_leather",
    "polyurethane": "vegan_leather",
    "faux_leather": "vegan_leather",
    "pu_leather": "vegan_leather",
    "vegan": "vegan_leather",
    "recycled_polyester": "recycled_fabric",
    "recycled": "recycled_fabric",
    "calf_leather": "calfskin",
    "lamb_leather": "lambskin",
    "patent": "patent_leather",
}

PriceTier = Literal["luxury", "premium", "mass"]
PRICE_TIERS: tuple[str, ...] = get_args(PriceTier)

Occasion = Literal["casual", "formal", "festival", "commute", "bridal"]
OCCASIONS: tuple[str, ...] = get_args(Occasion)

Lifecycle = Literal["draft", "active", "discontinued"]
LIFECYCLES: tuple[str, ...] = get_args(Lifecycle)

# Allowed lifecycle moves: launch, retire, and bring a retired design back.
LIFECYCLE_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {("draft", "active"), ("active", "discontinued"), ("discontinued", "active")}
)

# Seasons: SS26 / AW26 (spring-summer, autumn-winter + two-digit year), holiday26,
# resort26, pre_fall26 (year optional for the last three), or all_season.
SEASON_PATTERN = r"^((SS|AW)\d{2}|(holiday|resort|pre_fall)(\d{2})?|all_season)$"
_SEASON_RE = re.compile(SEASON_PATTERN)

# Open vocabularies (bag type, color, hardware, lining) take lowercase slugs.
SLUG_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
_SLUG_RE = re.compile(SLUG_PATTERN)
# Codes of styles and SKUs: letters, digits, dot, dash and underscore (URL-safe).
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_CODE_RE = re.compile(CODE_PATTERN)

HoldItem = Literal["cards", "keys", "lipstick", "airpods", "sunglasses", "phone"]
HOLD_ITEMS: tuple[str, ...] = get_args(HoldItem)

# Display names of the codes above whose words are not just the code with spaces
# (``belt_bag`` -> "Belt bag" needs none; microbag.display_names applies both).
VOCABULARY_NAMES: dict[str, str] = {
    "pvc": "PVC",
    "airpods": "AirPods",
    "pre_fall": "Pre-fall",
    "all_season": "All seasons",
}


def normalize_slug(value: str) -> str:
    """``"Mini Crossbody"`` / ``"mini-crossbody"`` -> ``"mini_crossbody"``."""
    if _SLUG_RE.match(value):
        return value
    return re.sub(r"[\s\-]+", "_", value.strip().lower())


def is_slug(value: str) -> bool:
    return bool(_SLUG_RE.match(value))


def is_code(value: str) -> bool:
    return bool(_CODE_RE.match(value))


def is_season(value: str) -> bool:
    return bool(_SEASON_RE.match(value))


def normalize_material(value: str) -> str:
    slug = normalize_slug(value)
    return MATERIAL_ALIASES.get(slug, slug)


def normalize_season(value: str) -> str:
    """``ss26`` -> ``SS26``; ``Holiday`` -> ``holiday``; ``FW26`` -> ``AW26``."""
    text = value.strip()
    upper = text.upper()
    if re.fullmatch(r"(SS|AW|FW)\d{2}", upper):
        return "AW" + upper[2:] if upper.startswith("FW") else upper
    return normalize_slug(text)


def vocabulary_error(field: str, value: str) -> ErrorItem | None:
    """An error when ``value`` is not allowed for ``field``; None when it is."""
    if field == "bag_type" or field in ("color", "hardware"):
        if value == "" and field == "hardware":
            return None
        if not is_slug(value):
            return ErrorItem(
                f"invalid_{field}",
                f"{field} {value!r} must be a lowercase word (a-z, 0-9, _), up to 32 characters",
                field=field,
            )
        return None
    allowed: tuple[str, ...] = {
        "material": MATERIALS,
        "price_tier": PRICE_TIERS,
        "occasion": OCCASIONS,
        "lifecycle": LIFECYCLES,
        "holds": HOLD_ITEMS,
        "size_class": SIZE_CLASSES,
    }.get(field, ())
    if field == "season":
        if not is_season(value):
            return ErrorItem(
                "invalid_season",
                f"season {value!r} is not valid: use SS26, AW26, holiday, resort, "
                "pre_fall (optionally with a year) or all_season",
                field=field,
            )
        return None
    if value not in allowed:
        return ErrorItem(
            f"unknown_{field}",
            f"{field} {value!r} is not one of: {', '.join(allowed)}",
            field=field,
        )
    return None


# ---- lifecycle ---------------------------------------------------------------------------------


def lifecycle_error(current: str, target: str, what: str = "style") -> ErrorItem | None:
    """None when ``current -> target`` is allowed (or no change), else the reason."""
    if current == target or (current, target) in LIFECYCLE_TRANSITIONS:
        return None
    return ErrorItem(
        "invalid_lifecycle_transition",
        f"a {current} {what} cannot become {target} "
        "(allowed: draft->active, active->discontinued, discontinued->active)",
        field="lifecycle",
    )


# ---- dimensions and weight ---------------------------------------------------------------------

DIMENSION_MIN_MM = 1
DIMENSION_MAX_MM = 600
WEIGHT_MIN_G = 0
WEIGHT_MAX_G = 5000
EDITION_SIZE_MAX = 1_000_000


def dimension_errors(
    width_mm: int, height_mm: int, depth_mm: int, weight_g: int = 0
) -> list[ErrorItem]:
    """Each outer dimension 1..600 mm; weight 0..5000 g (larger is a data-entry mistake)."""
    errors: list[ErrorItem] = []
    for name, value in (("width_mm", width_mm), ("height_mm", height_mm), ("depth_mm", depth_mm)):
        if not DIMENSION_MIN_MM <= value <= DIMENSION_MAX_MM:
            kind = "negative or zero" if value < DIMENSION_MIN_MM else "absurd"
            errors.append(
                ErrorItem(
                    "invalid_dimension",
                    f"{name} {value} is {kind}: each dimension must be "
                    f"{DIMENSION_MIN_MM}..{DIMENSION_MAX_MM} mm",
                    field=name,
                )
            )
    if not WEIGHT_MIN_G <= weight_g <= WEIGHT_MAX_G:
        errors.append(
            ErrorItem(
                "invalid_weight",
                f"weight_g {weight_g} must be {WEIGHT_MIN_G}..{WEIGHT_MAX_G} g",
                field="weight_g",
            )
        )
    return errors


# ---- what fits inside --------------------------------------------------------------------------

# Walls, lining and closure take this much of each outer dimension.
WALL_ALLOWANCE_MM = 10


@dataclass(frozen=True)
class Item:
    name: str
    # The item's box in mm, any orientation.
    dims: tuple[int, int, int]


# Typical sizes of what people put in a micro bag (longest, middle, shortest side).
ITEMS: tuple[Item, ...] = (
    Item("lipstick", (75, 20, 20)),
    Item("keys", (70, 35, 15)),
    Item("airpods", (61, 46, 22)),
    Item("cards", (90, 58, 8)),  # a slim card holder with ISO 7810 cards (85.6 x 54 mm)
    Item("sunglasses", (150, 50, 40)),  # folded
)
# A phone: width and thickness are what limit it; length is reported as phone_max_mm.
PHONE_WIDTH_MM = 72
PHONE_THICKNESS_MM = 9
# Shortest phone sold today (iPhone 13 mini is 131.5 mm); below it no phone fits.
PHONE_MIN_LENGTH_MM = 130


def canonical_holds(items: list[str]) -> list[str]:
    """Known hold items, without duplicates, smallest first (HOLD_ITEMS order)."""
    order = {name: i for i, name in enumerate(HOLD_ITEMS)}
    return sorted({i for i in items if i in order}, key=order.__getitem__)


def inner_size(width_mm: int, height_mm: int, depth_mm: int) -> tuple[int, int, int]:
    """Usable inner box, sorted longest first."""
    inner = (max(v - WALL_ALLOWANCE_MM, 0) for v in (width_mm, height_mm, depth_mm))
    a, b, c = sorted(inner, reverse=True)
    return a, b, c


def _fits(inner: tuple[int, int, int], item: tuple[int, int, int]) -> bool:
    return all(i >= n for i, n in zip(inner, sorted(item, reverse=True), strict=True))


def suggest_holds(width_mm: int, height_mm: int, depth_mm: int) -> tuple[list[str], int | None]:
    """What fits inside (in HOLD_ITEMS order) and the longest phone that fits, if any."""
    inner = inner_size(width_mm, height_mm, depth_mm)
    holds = [item.name for item in ITEMS if _fits(inner, item.dims)]
    phone_max: int | None = None
    if (
        inner[1] >= PHONE_WIDTH_MM
        and inner[2] >= PHONE_THICKNESS_MM
        and inner[0] >= PHONE_MIN_LENGTH_MM
    ):
        phone_max = inner[0]
        holds.append("phone")
    return canonical_holds(holds), phone_max


# ---- limited editions --------------------------------------------------------------------------


def limited_edition_errors(
    is_limited: bool, drop_date: date | None, edition_size: int | None
) -> list[ErrorItem]:
    """A limited edition needs both a drop date and an edition size; others have neither."""
    errors: list[ErrorItem] = []
    if is_limited:
        if drop_date is None:
            errors.append(
                ErrorItem(
                    "drop_date_required",
                    "drop_date is required for a limited edition",
                    field="drop_date",
                )
            )
        if edition_size is None:
            errors.append(
                ErrorItem(
                    "edition_size_required",
                    "edition_size is required for a limited edition",
                    field="edition_size",
                )
            )
        elif not 1 <= edition_size <= EDITION_SIZE_MAX:
            errors.append(
                ErrorItem(
                    "invalid_edition_size",
                    f"edition_size must be 1..{EDITION_SIZE_MAX}",
                    field="edition_size",
                )
            )
    else:
        for name, value in (("drop_date", drop_date), ("edition_size", edition_size)):
            if value is not None:
                errors.append(
                    ErrorItem(
                        "not_limited_edition",
                        f"{name} is only for limited editions (set is_limited_edition)",
                        field=name,
                    )
                )
    return errors


def search_text(*parts: str) -> str:
    """Lower-cased words to match a text query against (codes, names, color, material...)."""
    words = " ".join(p for p in parts if p).lower().replace("_", " ")
    return " ".join(words.split())


LIKE_ESCAPE = "\\"


def like_contains(word: str) -> str:
    """A LIKE pattern (with ``ESCAPE LIKE_ESCAPE``) for ``word`` anywhere in a text.

    The user's ``%``, ``_`` and the escape character are matched as themselves, never
    as wildcards, on SQLite and PostgreSQL alike.
    """
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
