"""The demo catalog: styles and their SKUs, drawn from the market data.

Styles launch by season over the three years of history (plus next season's drafts);
older seasonal styles are discontinued unless they became carry-overs. Each SKU keeps
the dates it could be ordered, its color family and a popularity, which the order
history uses.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from microbag.catalog.models import Sku, Style, StyleOccasion
from microbag.catalog.policies import search_text, size_class, suggest_holds
from microbag.demo.bulk import BulkWriter
from microbag.demo.market import (
    BAG_TYPES,
    COLORS,
    HARDWARE,
    MATERIAL_CODES,
    MATERIALS,
    SIZE_PRICE_FACTOR,
    TIER_TERMS,
)
from microbag.demo.vocab import STYLE_WORDS

HISTORY_DAYS = 3 * 365 + 1


@dataclass(slots=True)
class StyleRec:
    id: int
    code: str
    name: str
    bag_type: str
    price_tier: str
    size_class: str
    occasions: tuple[str, ...]
    season: str
    launch: date
    until: date | None
    lifecycle: str
    limited: bool
    edition_size: int | None
    popularity: float
    case_pack: int
    base_usd_cents: int


@dataclass(slots=True)
class SkuRec:
    id: int
    code: str
    style: StyleRec
    color: str
    family: str
    material: str
    hardware: str
    lifecycle: str
    launch: date
    until: date | None
    usd_cents: int  # first-tier unit price on the default list, in US cents
    popularity: float

    def orderable_on(self, day: date) -> bool:
        return self.launch <= day and (self.until is None or day < self.until)


@dataclass
class Catalog:
    styles: list[StyleRec] = field(default_factory=list)
    skus: list[SkuRec] = field(default_factory=list)
    # The first styles, as many as the small catalog has: the order history buys from
    # these only, so a large load has the small load's history (same seed).
    core_styles: int = 0

    @property
    def core_skus(self) -> int:
        """SKUs of the core styles (they come first in ``skus``)."""
        last_core = self.styles[self.core_styles - 1].id if self.core_styles else 0
        return sum(1 for sku in self.skus if sku.style.id <= last_core)


def weighted_pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def weighted_sample(rng: random.Random, weights: dict[str, float], k: int) -> list[str]:
    """Up to ``k`` distinct keys, likelier ones first (Efraimidis-Spirakis keys)."""
    keyed = sorted(
        ((rng.random() ** (1.0 / w), key) for key, w in weights.items() if w > 0), reverse=True
    )
    return [key for _, key in keyed[:k]]


def _season_calendar(today: date) -> list[tuple[str, date]]:
    """Seasonal launches from before the history window to the next season (drafts)."""
    window_start = today - timedelta(days=HISTORY_DAYS)
    out = []
    for year in range(today.year - 4, today.year + 2):
        yy = year % 100
        for code, launch in (
            (f"SS{yy:02d}", date(year, 1, 20)),
            (f"AW{yy:02d}", date(year, 7, 20)),
        ):
            if window_start - timedelta(days=200) <= launch <= today + timedelta(days=120):
                out.append((code, launch))
    return out


def _holiday_calendar(today: date) -> list[tuple[str, date]]:
    window_start = today - timedelta(days=HISTORY_DAYS)
    out = []
    for year in range(today.year - 4, today.year + 1):
        launch = date(year, 9, 25)
        if window_start - timedelta(days=60) <= launch <= today + timedelta(days=60):
            out.append((f"holiday{year % 100:02d}", launch))
    return out


def _lifecycle(launch: date, until: date | None, today: date) -> str:
    if launch > today:
        return "draft"
    if until is not None and until <= today:
        return "discontinued"
    return "active"


def _round5(value: float) -> int:
    return max(5, round(value / 5.0) * 5)


class CatalogBuilder:
    def __init__(self, rng: random.Random, writer: BulkWriter, today: date) -> None:
        self.rng = rng
        self.writer = writer
        self.today = today
        self.window_start = today - timedelta(days=HISTORY_DAYS)
        self.seasons = _season_calendar(today)
        self.holidays = _holiday_calendar(today)
        self.counters: dict[str, int] = {}
        self.type_counts: dict[str, int] = {}
        self.names: set[str] = set()
        self.catalog = Catalog()

    # -- one style ----------------------------------------------------------------

    def _next_type(self) -> str:
        """The type furthest below its share so far (the catalog mix follows the shares)."""
        n = len(self.catalog.styles) + 1
        counts = self.type_counts
        bag_type = max(BAG_TYPES, key=lambda t: BAG_TYPES[t].share * n - counts.get(t, 0))
        counts[bag_type] = counts.get(bag_type, 0) + 1
        return bag_type

    def _dates(self) -> tuple[str, date, date | None, bool]:
        """Season code, launch date, end of sale (None: still sold), limited edition."""
        rng, _today = self.rng, self.today
        kind = rng.choices(("core", "seasonal", "holiday"), weights=(0.33, 0.57, 0.10))[0]
        if kind == "core":
            launch = self.window_start - timedelta(days=rng.randint(30, 700))
            until = None
            if rng.random() < 0.12:
                until = self.window_start + timedelta(days=rng.randint(200, HISTORY_DAYS - 30))
            return "all_season", launch, until, False
        if kind == "holiday" and self.holidays:
            code, launch = rng.choice(self.holidays)
            until = None if rng.random() < 0.25 else date(launch.year + 1, 1, 31)
            return code, launch, until, rng.random() < 0.5
        code, launch = rng.choice(self.seasons)
        launch += timedelta(days=rng.randint(-10, 10))
        until = None if rng.random() < 0.45 else launch + timedelta(days=rng.randint(300, 620))
        return code, launch, until, rng.random() < 0.08

    def _dimensions(self, bag_type: str) -> tuple[int, int, int, bool]:
        spec, rng = BAG_TYPES[bag_type], self.rng
        nano = bag_type in ("micro_tote", "mini_crossbody", "micro_clutch", "pouch", "bucket")
        if nano and rng.random() < 0.14:
            # The "barely holds a lipstick" novelty size (Jacquemus Chiquito).
            w = _round5(rng.uniform(85, 100))
            h = _round5(rng.uniform(50, min(100, spec.height_mm[1])))
            d = _round5(rng.uniform(30, min(60, spec.depth_mm[1])))
            return w, h, d, True
        w = _round5(rng.uniform(*spec.width_mm))
        h = _round5(rng.uniform(*spec.height_mm))
        d = _round5(rng.uniform(*spec.depth_mm))
        if bag_type == "micro_clutch":
            h = min(h, w - 20)
        return w, h, d, False

    def _label(self, bag_type: str, nano: bool) -> str:
        label = BAG_TYPES[bag_type].label
        if nano:
            return "Nano " + label.split(" ", 1)[-1]
        return label

    def _name(self, label: str) -> str:
        rng = self.rng
        name = f"{rng.choice(STYLE_WORDS)} {label}"
        if name in self.names:
            name = f"{rng.choice(STYLE_WORDS)} {name}"
        self.names.add(name)
        return name

    def _occasions(self, bag_type: str, season: str, limited: bool) -> tuple[str, ...]:
        spec = BAG_TYPES[bag_type]
        chosen = {o for o, p in spec.occasions.items() if self.rng.random() < p}
        if season.startswith("holiday") or limited:
            chosen.add("formal")
        if not chosen:
            chosen.add(max(spec.occasions, key=spec.occasions.__getitem__))
        return tuple(sorted(chosen))

    def _palette(self, occasions: Sequence[str], season: str, tier: str) -> list[str]:
        family = {
            "neutral": 3.0,
            "pastel": 1.3,
            "vivid": 1.3,
            "metallic": 0.8,
            "jewel": 0.8,
            "bridal": 0.15,
        }
        if "bridal" in occasions:
            family["bridal"] = 4.0
            family["metallic"] *= 1.5
        if "formal" in occasions:
            family["metallic"] *= 2.0
            family["jewel"] *= 2.0
        if "festival" in occasions:
            family["vivid"] *= 2.5
        if season.startswith("holiday"):
            family["metallic"] *= 2.5
            family["jewel"] *= 2.0
        if tier == "luxury":
            family["neutral"] *= 1.3
        sizes = {f: sum(1 for _, ff in COLORS.values() if ff == f) for f in family}
        weights = {c: family[f] / sizes[f] for c, (_, f) in COLORS.items()}
        weights["black"] *= 1.6  # the best seller everywhere
        return weighted_sample(self.rng, weights, self.rng.randint(3, 6))

    def _materials(self, tier: str) -> list[str]:
        weights = {m: spec.tiers.get(tier, 0.0) for m, spec in MATERIALS.items()}
        return weighted_sample(self.rng, weights, 1 if self.rng.random() < 0.65 else 2)

    def _hardware(self, tier: str, occasions: Sequence[str]) -> list[str]:
        weights = {
            "gold": 1.1,
            "silver": 1.2,
            "gunmetal": 0.8,
            "rose_gold": 0.6,
            "matte_black": 0.8,
            "crystal": 0.25,
            "pearl": 0.2,
        }
        if tier == "luxury" or "formal" in occasions:
            weights["crystal"] *= 3
            weights["pearl"] *= 2
        if "bridal" in occasions:
            weights["pearl"] *= 6
        return weighted_sample(self.rng, weights, 1 if self.rng.random() < 0.7 else 2)

    def add_style(self) -> None:
        rng, today = self.rng, self.today
        bag_type = self._next_type()
        spec = BAG_TYPES[bag_type]
        tier = weighted_pick(rng, spec.tiers)
        season, launch, until, limited = self._dates()
        limited = limited and tier != "mass"
        if until is not None and until > today:
            until = None if rng.random() < 0.5 else until
        lifecycle = _lifecycle(launch, until, today)
        w, h, d, nano = self._dimensions(bag_type)
        sclass = size_class(w, h, d)
        occasions = self._occasions(bag_type, season, limited)
        materials = self._materials(tier)
        colors = self._palette(occasions, season, tier)
        hardware = self._hardware(tier, occasions)

        prefix = spec.code
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        code = f"{prefix}-{self.counters[prefix]:04d}"
        label = self._label(bag_type, nano)
        name = self._name(label)
        terms = TIER_TERMS[tier]
        low, high = terms.base_usd_cents
        base = rng.uniform(low, high) * spec.price_factor * SIZE_PRICE_FACTOR[sclass]
        style = StyleRec(
            id=self.writer.next_id(Style),
            code=code,
            name=name,
            bag_type=bag_type,
            price_tier=tier,
            size_class=sclass,
            occasions=occasions,
            season=season,
            launch=launch,
            until=until,
            lifecycle=lifecycle,
            limited=limited,
            edition_size=rng.choice((200, 300, 500, 750, 1000, 1500)) if limited else None,
            popularity=rng.lognormvariate(0.0, 0.45),
            case_pack=rng.choice(terms.case_packs),
            base_usd_cents=int(base),
        )
        self.catalog.styles.append(style)
        self._write_style(style, (w, h, d), materials)
        self._add_skus(style, colors, materials, hardware)

    def _write_style(
        self, style: StyleRec, dims: tuple[int, int, int], materials: list[str]
    ) -> None:
        rng = self.rng
        spec = BAG_TYPES[style.bag_type]
        w, h, d = dims
        lo, hi = spec.width_mm
        span = min(max((max(w, h) - lo) / max(hi - lo, 1), 0.0), 1.0)
        weight = spec.weight_g[0] + (spec.weight_g[1] - spec.weight_g[0]) * span
        weight *= MATERIALS[materials[0]].weight_factor
        holds, phone_max = suggest_holds(w, h, d)
        lining = (
            rng.choice(("lambskin", "satin", "microsuede"))
            if style.price_tier == "luxury"
            else (rng.choice(spec.lining))
        )
        created = min(style.launch - timedelta(days=60), self.today - timedelta(days=1))
        created_at = datetime.combine(created, time(9, 0), tzinfo=UTC)
        what = ", ".join(holds) if holds else "a lipstick"
        description = (
            f"{style.name}: a {style.size_class} {spec.label.lower()} in "
            f"{' or '.join(m.replace('_', ' ') for m in materials)}, {w} x {h} x {d} mm. "
            f"Holds {what}."
        )
        self.writer.add(
            Style,
            {
                "id": style.id,
                "code": style.code,
                "name": style.name,
                "description": description,
                "bag_type": style.bag_type,
                "width_mm": w,
                "height_mm": h,
                "depth_mm": d,
                "weight_g": int(weight),
                "size_class": style.size_class,
                "holds": holds,
                "phone_max_mm": phone_max,
                "lining": lining,
                "price_tier": style.price_tier,
                "season": style.season,
                "is_limited_edition": style.limited,
                "drop_date": style.launch if style.limited else None,
                "edition_size": style.edition_size,
                "images": [],
                "lifecycle": style.lifecycle,
                "created_at": created_at,
                "updated_at": created_at,
            },
        )
        for occasion in style.occasions:
            self.writer.add(StyleOccasion, {"style_id": style.id, "occasion": occasion})

    def _add_skus(
        self, style: StyleRec, colors: list[str], materials: list[str], hardware: list[str]
    ) -> None:
        rng, today = self.rng, self.today
        combos = [(c, rng.choice(materials), rng.choice(hardware)) for c in colors]
        extra = [(c, m, h) for c in colors for m in materials for h in hardware]
        rng.shuffle(extra)
        target = rng.randint(4, 9)
        for combo in extra:
            if len(combos) >= target:
                break
            if combo not in combos:
                combos.append(combo)
        for color, material, hw in combos:
            launch, until, lifecycle = style.launch, style.until, style.lifecycle
            if lifecycle == "active":
                roll = rng.random()
                if roll < 0.04:  # a colorway dropped early
                    until = today - timedelta(days=rng.randint(20, 300))
                    until = max(until, launch + timedelta(days=60))
                elif roll < 0.07:  # a new colorway not launched yet
                    launch = today + timedelta(days=rng.randint(10, 90))
                lifecycle = _lifecycle(launch, until, today)
            family = COLORS[color][1]
            price = style.base_usd_cents * MATERIALS[material].price_factor * HARDWARE[hw][1]
            if style.limited:
                price *= 1.2
            sku = SkuRec(
                id=self.writer.next_id(Sku),
                code=f"{style.code}-{COLORS[color][0]}-{MATERIAL_CODES[material]}{HARDWARE[hw][0]}",
                style=style,
                color=color,
                family=family,
                material=material,
                hardware=hw,
                lifecycle=lifecycle,
                launch=launch,
                until=until,
                usd_cents=int(price),
                popularity=style.popularity * rng.lognormvariate(0.0, 0.35),
            )
            self.catalog.skus.append(sku)
            created = min(launch - timedelta(days=45), today - timedelta(days=1))
            self.writer.add(Sku, self._sku_row(sku, created))

    def _sku_row(self, sku: SkuRec, created: date) -> dict[str, Any]:
        style = sku.style
        return {
            "id": sku.id,
            "code": sku.code,
            "style_id": style.id,
            "color": sku.color,
            "material": sku.material,
            "hardware": sku.hardware,
            "search_text": search_text(
                sku.code,
                style.code,
                style.name,
                sku.color,
                sku.material,
                style.bag_type,
                sku.hardware,
            ),
            "lifecycle": sku.lifecycle,
            "is_imported": False,
            "attributes": {"color_family": sku.family},
            "created_at": datetime.combine(created, time(9, 0), tzinfo=UTC),
        }


def build_catalog(
    rng: random.Random,
    writer: BulkWriter,
    today: date,
    *,
    min_styles: int,
    min_skus: int,
    core: tuple[int, int],
    progress: Callable[[int], None] | None = None,
) -> Catalog:
    """Styles until there are at least ``min_styles`` styles and ``min_skus`` SKUs.

    ``core`` is the (styles, SKUs) of the small catalog: the styles made until both
    were reached are the core (see ``Catalog.core_styles``).
    """
    builder = CatalogBuilder(rng, writer, today)
    catalog = builder.catalog
    while len(catalog.styles) < min_styles or len(catalog.skus) < min_skus:
        before = len(catalog.skus)
        builder.add_style()
        if (
            not catalog.core_styles
            and len(catalog.styles) >= core[0]
            and len(catalog.skus) >= core[1]
        ):
            catalog.core_styles = len(catalog.styles)
        if progress is not None:
            progress(len(catalog.skus) - before)
    catalog.core_styles = catalog.core_styles or len(catalog.styles)
    _check_unique_codes(catalog)
    return catalog


def _check_unique_codes(catalog: Catalog) -> None:
    codes = sorted(s.code for s in catalog.skus)
    for a, b in pairwise(codes):
        if a == b:
            raise RuntimeError(f"demo generator produced the SKU code {a} twice")
