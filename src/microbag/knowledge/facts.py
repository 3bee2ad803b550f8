"""Market knowledge: the brief's tables as validated facts, and lookups over them.

``shipped_knowledge()`` loads ``brief.toml`` (shipped with the package), validates it
(``tables.validate_entries``) and caches it. ``Knowledge`` answers the questions the
suggestions, range plans and bundles ask of the prior: how much a segment wants a bag
type, a region a color family, which occasions a season calls for, a segment's price
model, the range plan's default bounds. ``Knowledge.fact(key)`` gives a value with its
source, so an explanation can say "rests on the prior (brief: Table 4)".

Preference weights are stored relative (1.0 = neutral, as the demo generator uses them);
the lookups return them as 0..1, divided by the row's largest weight (the favourite of
the segment or region scores 1.0). A segment or region without a row (``other``, None)
gets the average over the rows; a column the brief does not name gets 0.0, except in
the sparse materials table, where an unnamed material is neutral.

Pure: no database, no web layer.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any, NamedTuple

from microbag.knowledge.tables import (
    RANGE_COLUMNS,
    SEASONS,
    TABLES,
    Entry,
    KnowledgeError,
    Problem,
    split_key,
    validate_entries,
)

SHIPPED_FILE = "brief.toml"
SELLER = "seller"
IMPORTANCE_WEIGHTS = {"high": 1.0, "medium": 0.6, "low": 0.3}

# Catalog season codes (catalog.policies.SEASON_PATTERN) read as the seasons they cover.
_SEASON_CODES: dict[str, tuple[str, ...]] = {
    "SS": ("spring", "summer"),
    "AW": ("autumn", "winter"),
    "holiday": ("winter",),
    "resort": ("winter", "spring"),
    "pre_fall": ("summer", "autumn"),
    "all_season": SEASONS,
}


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """A fact's value as plain JSON types (dict, list)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class Fact:
    key: str
    value: Any  # read-only: mappings and tuples (``thaw`` for JSON)
    source: str  # "brief: Table N ..." or "seller"
    note: str = ""

    @property
    def table(self) -> str:
        return split_key(self.key)[0]

    @property
    def row(self) -> str | None:
        return split_key(self.key)[1]

    @property
    def table_title(self) -> str:
        return TABLES[self.table].title

    @property
    def from_brief(self) -> bool:
        return self.source.startswith("brief")


class ShareBounds(NamedTuple):
    min: float
    max: float


@dataclass(frozen=True)
class RangeDefaults:
    """Default [min, max] share of a season's styles per attribute value."""

    bag_type: Mapping[str, ShareBounds]
    color_family: Mapping[str, ShareBounds]
    price_tier: Mapping[str, ShareBounds]
    occasion: Mapping[str, ShareBounds]

    def bounds(self, dimension: str, value: str) -> ShareBounds:
        """Bounds of one value; a value without defaults is free (0..1)."""
        table: Mapping[str, ShareBounds] = getattr(self, dimension)
        return table.get(value, ShareBounds(0.0, 1.0))


@dataclass(frozen=True)
class PriceModel:
    tier_mix: Mapping[str, float]  # price tier -> share of units, sums to 1
    typical_moq: int  # units per line
    discount_depth: float  # deepest usual discount off the list, 0..1
    pricing: str = "mixed"  # Table 9's pricing model (volume_driven, cross_selling...)
    restock_days: int = 30  # days between orders


@dataclass(frozen=True)
class StylingPair:
    key: str
    outfit: str
    occasion: str
    audience: str
    bag_type: str | None = None
    material: str | None = None
    hardware: str | None = None
    color: str | None = None


@dataclass(frozen=True)
class SupplierCriterion:
    importance: str  # high, medium, low
    benefit: str
    set_weight: float | None = None  # the fact's ``weight``, edited on /staff/knowledge

    @property
    def weight(self) -> float:
        """The ranking weight: the one set on the fact, else the importance's."""
        if self.set_weight is not None:
            return self.set_weight
        return IMPORTANCE_WEIGHTS[self.importance]


@dataclass(frozen=True)
class EcommerceFactor:
    action: str
    result: str
    weight: float


def _relative(row: Mapping[str, float], column: str, neutral: float) -> float:
    top = max([*row.values(), neutral])
    return row.get(column, neutral) / top if top > 0 else 0.0


@dataclass(frozen=True, eq=False)  # compared and hashed by identity (usable as a cache key)
class Knowledge:
    version: str
    entries: Mapping[str, Fact]

    # ---- facts ---------------------------------------------------------------------

    def fact(self, key: str) -> Fact:
        try:
            return self.entries[key]
        except KeyError:
            raise KeyError(f"no fact '{key}' in the market knowledge") from None

    def facts(self) -> tuple[Fact, ...]:
        return tuple(self.entries.values())

    @cached_property
    def _tables(self) -> Mapping[str, Mapping[str, Any]]:
        tables: dict[str, dict[str, Any]] = {name: {} for name in TABLES}
        for f in self.entries.values():
            tables[f.table][f.row or ""] = f.value
        return MappingProxyType({k: MappingProxyType(v) for k, v in tables.items()})

    @cached_property
    def _weights(self) -> dict[tuple[str, str | None, str, float], float]:
        return {}  # memo of _weight: the lookups run in scoring loops

    def table(self, name: str) -> Mapping[str, Any]:
        """The rows of one table: row -> value (the row is '' for a one-value table)."""
        if name not in TABLES:
            raise KeyError(f"no table '{name}' in the market knowledge")
        return self._tables[name]

    def with_edits(self, edits: Mapping[str, Any], note: str = "") -> Knowledge:
        """These facts replaced (or added) as the seller's, validated like the file."""
        merged = {k: Entry(k, thaw(f.value), f.source, f.note) for k, f in self.entries.items()}
        for key, value in edits.items():
            merged[key] = Entry(key, value, SELLER, note or merged.get(key, Entry(key, 0, "")).note)
        return build_knowledge(self.version, merged.values())

    # ---- preference weights, 0..1 --------------------------------------------------

    def _weight(self, table: str, row: str | None, column: str, neutral: float = 0.0) -> float:
        memo = (table, row, column, neutral)
        found = self._weights.get(memo)
        if found is None:
            found = self._weights[memo] = self._compute_weight(table, row, column, neutral)
        return found

    def _compute_weight(self, table: str, row: str | None, column: str, neutral: float) -> float:
        rows = self.table(table)
        if row is not None and row in rows:
            return _relative(rows[row], column, neutral)
        if neutral:  # sparse table: a row not given is neutral throughout
            return 1.0
        values = [_relative(r, column, neutral) for r in rows.values()]
        return sum(values) / len(values) if values else 0.0

    def type_weight(self, segment: str | None, bag_type: str) -> float:
        """Demand weight of a bag type for a buyer segment (Tables 4, 9)."""
        return self._weight("segment_types", segment, bag_type)

    def region_type_weight(self, region: str | None, bag_type: str) -> float:
        return self._weight("region_types", region, bag_type)

    def tier_weight(self, segment: str | None, price_tier: str) -> float:
        return self._weight("segment_tiers", segment, price_tier)

    def region_tier_weight(self, region: str | None, price_tier: str) -> float:
        return self._weight("region_tiers", region, price_tier)

    def color_weight(self, region: str | None, color_family: str) -> float:
        return self._weight("region_color_families", region, color_family)

    def material_weight(self, region: str | None, material: str) -> float:
        return self._weight("region_materials", region, material, neutral=1.0)

    def hardware_weight(self, region: str | None, hardware: str) -> float:
        return self._weight("region_hardware", region, hardware)

    def size_weight(self, region: str | None, size_class: str) -> float:
        return self._weight("region_sizes", region, size_class)

    def occasion_weight(self, bag_type: str, occasion: str) -> float:
        """How well a bag type suits an occasion, 0..1 (Tables 5, 6, 7)."""
        row = self.table("type_occasions").get(bag_type, {})
        return float(row.get(occasion, 0.0))

    # ---- seasons, styling, bundles -------------------------------------------------

    def occasions(self, season: str) -> tuple[str, ...]:
        """Occasions a season calls for, most important first.

        ``season``: spring, summer, autumn, winter, or a catalog season code (SS26, AW26,
        holiday, resort, pre_fall, all_season) read as the seasons it covers.
        """
        rows = self.table("season_occasions")
        out: list[str] = []
        for name in season_names(season):
            out += [o for o in rows.get(name, ()) if o not in out]
        return tuple(out)

    def styling_pairs(self) -> tuple[StylingPair, ...]:
        return tuple(
            StylingPair(key=row, **dict(value))
            for row, value in self.table("styling_pairs").items()
        )

    def bundle_pairs(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(v) for v in self.table("bundle_pairs").values())

    # ---- trade terms ---------------------------------------------------------------

    def price_model(self, segment: str | None) -> PriceModel:
        """A segment's price model (Table 9); an unknown segment gets the average."""
        rows = self.table("price_model")
        if segment is not None and segment in rows:
            v = rows[segment]
            return PriceModel(
                dict(v["tier_mix"]),
                v["typical_moq"],
                v["discount_depth"],
                v["pricing"],
                v["restock_days"],
            )
        n = len(rows)
        tiers = dict.fromkeys(t for v in rows.values() for t in v["tier_mix"])
        return PriceModel(
            {t: sum(v["tier_mix"].get(t, 0.0) for v in rows.values()) / n for t in tiers},
            round(sum(v["typical_moq"] for v in rows.values()) / n),
            sum(v["discount_depth"] for v in rows.values()) / n,
            "mixed",
            round(sum(v["restock_days"] for v in rows.values()) / n),
        )

    def ecommerce_factors(self) -> Mapping[str, EcommerceFactor]:
        return {k: EcommerceFactor(**dict(v)) for k, v in self.table("ecommerce_factors").items()}

    def supplier_criteria(self) -> Mapping[str, SupplierCriterion]:
        return {
            k: SupplierCriterion(v["importance"], v["benefit"], v.get("weight"))
            for k, v in self.table("supplier_criteria").items()
        }

    def range_defaults(self) -> RangeDefaults:
        rows = self.table("range_defaults")
        bounds = {
            dimension: {k: ShareBounds(*b) for k, b in rows.get(dimension, {}).items()}
            for dimension in RANGE_COLUMNS
        }
        return RangeDefaults(**bounds)


def season_names(season: str) -> tuple[str, ...]:
    """spring/summer/autumn/winter covered by a season name or catalog season code."""
    text = season.strip()
    if text.lower() in SEASONS:
        return (text.lower(),)
    if text[:2].upper() in ("SS", "AW") and text[2:].isdigit():
        return _SEASON_CODES[text[:2].upper()]
    base = text.lower().rstrip("0123456789")
    return _SEASON_CODES.get(base, ())


def build_knowledge(version: str, entries: Iterable[Entry]) -> Knowledge:
    """Validated knowledge from entries; raises KnowledgeError naming every bad fact."""
    valid = validate_entries(entries)
    facts = {k: Fact(k, _freeze(e.value), e.source, e.note) for k, e in valid.items()}
    return Knowledge(version, MappingProxyType(facts))


def parse_knowledge(text: str, origin: str = SHIPPED_FILE) -> Knowledge:
    """Knowledge from the TOML text of a knowledge file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError([Problem(origin, "toml", str(exc))]) from None
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise KnowledgeError([Problem(origin, "version", "a non-empty string is required")])
    raw = data.get("fact")
    if not isinstance(raw, list) or not raw:
        raise KnowledgeError([Problem(origin, "fact", "no [[fact]] entries")])
    entries, problems = [], []
    for i, item in enumerate(raw, start=1):
        key = item.get("key") if isinstance(item, dict) else None
        unknown = (
            set(item) - {"key", "value", "source", "note"} if isinstance(item, dict) else set()
        )
        if not isinstance(key, str) or "value" not in item or unknown:
            what = f"unknown fields {sorted(unknown)}" if unknown else "needs key, value and source"
            problems.append(Problem(str(key or f"#{i}"), "entry", what))
            continue
        entries.append(Entry(key, item["value"], item.get("source", ""), item.get("note", "")))
    if problems:
        raise KnowledgeError(problems)
    return build_knowledge(version, entries)


@lru_cache(maxsize=1)
def shipped_knowledge() -> Knowledge:
    """The knowledge file shipped with microbag, validated (cached)."""
    text = resources.files("microbag.knowledge").joinpath(SHIPPED_FILE).read_text("utf-8")
    return parse_knowledge(text)
