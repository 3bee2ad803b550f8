"""The shape of every fact in the knowledge file: its table, its rows, its value, its rules.

A fact's key is ``<table>.<row>`` (``segment_types.boutique``) or just ``<table>`` for a
table of one value (``month_demand``). Each table below says which rows it allows, the
Pydantic type of a row's value, which column names a row may use and the rules across
rows (same columns in every row, shares that sum to 1). ``validate_entries`` checks a
whole file's worth of entries and reports every problem at once, each naming the fact
and the field, so a bad file or a bad staff edit is refused with the exact reason.

Pure: no database, no web layer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from microbag.buyers.policies import REGIONS, SEGMENTS
from microbag.catalog.policies import (
    BAG_TYPES,
    MATERIALS,
    OCCASIONS,
    PRICE_TIERS,
    SIZE_CLASSES,
    SLUG_PATTERN,
)
from microbag.errors import DomainError, ErrorItem

# Vocabularies the catalog leaves open but the brief's tables use as columns.
COLOR_FAMILIES: tuple[str, ...] = ("neutral", "pastel", "vivid", "metallic", "jewel", "bridal")
SEASONS: tuple[str, ...] = ("spring", "summer", "autumn", "winter")
RANGE_DIMENSIONS: tuple[str, ...] = ("bag_type", "color_family", "price_tier", "occasion")
# Regions with a preference row: "other" is the average of the rest (facts.Knowledge).
BRIEF_REGIONS: tuple[str, ...] = tuple(r for r in REGIONS if r != "other")

MAX_WEIGHT = 5.0
SOURCE_PATTERN = r"^(brief: Table \d+.*|seller)$"
_SOURCE_RE = re.compile(SOURCE_PATTERN)
_SLUG_RE = re.compile(SLUG_PATTERN)
SUM_TOLERANCE = 1e-6

Weight = Annotated[float, Field(ge=0.0, le=MAX_WEIGHT, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Text = Annotated[str, Field(min_length=1, max_length=200)]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StylingPairValue(_Strict):
    outfit: Text
    occasion: Annotated[str, Field(pattern=SLUG_PATTERN)]
    audience: Text
    bag_type: Slug | None = None
    material: Slug | None = None
    hardware: Slug | None = None
    color: Slug | None = None


class PriceModelValue(_Strict):
    pricing: Slug
    tier_mix: dict[str, Share]
    typical_moq: Annotated[int, Field(ge=1, le=100_000)]
    discount_depth: Share
    restock_days: Annotated[int, Field(ge=1, le=366)]


class EcommerceFactorValue(_Strict):
    action: Text
    result: Text
    weight: Share


class SupplierCriterionValue(_Strict):
    importance: Literal["high", "medium", "low"]
    benefit: Text
    # The criterion's weight in supplier rankings (scorecards); None: from the importance.
    weight: Weight | None = None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one fact: ``field`` is ``key``, ``source`` or ``value[.x]``."""

    key: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"fact '{self.key}', {self.field}: {self.message}"


class KnowledgeError(DomainError):
    """The knowledge (file or edit) breaks a rule; every problem is listed."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(
            [ErrorItem("invalid_fact", str(p), field=f"{p.key}:{p.field}") for p in problems],
            422,
        )


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    rows: tuple[str, ...] | None  # allowed rows; None: any slug; () : a single-value table
    value: TypeAdapter[Any]
    columns: tuple[str, ...] | None = None  # allowed keys of a dict value
    column_word: str = "column"
    required_rows: tuple[str, ...] = ()
    same_columns: bool = False  # every row names the same columns
    sums_to_one: bool = False
    checks: tuple[Callable[[Any], list[tuple[str, str]]], ...] = field(default=())


def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


_WEIGHT_ROW = _adapter(dict[str, Weight])
_SHARE_ROW = _adapter(dict[str, Share])
_MONTHS = _adapter(Annotated[list[Weight], Field(min_length=12, max_length=12)])
_SLUGS = _adapter(Annotated[list[Slug], Field(min_length=1, max_length=12)])
_BOUNDS = _adapter(dict[str, tuple[Share, Share]])


def _vocabulary_check(
    name: str, vocabulary: tuple[str, ...], word: str
) -> Callable[[Any], list[tuple[str, str]]]:
    def check(value: Any) -> list[tuple[str, str]]:
        out = []
        items: Iterable[Any] = value.get(name, ()) if isinstance(value, dict) else value
        for i, item in enumerate(items):
            if item is not None and item not in vocabulary:
                where = f"value.{name}" if isinstance(value, dict) else f"value.{i}"
                out.append((where, f"unknown {word} '{item}'"))
        return out

    return check


def _unique_items(value: Any) -> list[tuple[str, str]]:
    return [] if len(set(value)) == len(value) else [("value", "an item is listed twice")]


def _styling_vocabulary(value: Any) -> list[tuple[str, str]]:
    out = []
    if value["occasion"] not in OCCASIONS:
        out.append(("value.occasion", f"unknown occasion '{value['occasion']}'"))
    if value.get("material") is not None and value["material"] not in MATERIALS:
        out.append(("value.material", f"unknown material '{value['material']}'"))
    if not any(value.get(k) for k in ("bag_type", "material", "hardware", "color")):
        out.append(("value", "name at least one of bag_type, material, hardware, color"))
    return out


def _tier_mix(value: Any) -> list[tuple[str, str]]:
    mix = value["tier_mix"]
    out = [
        (f"value.tier_mix.{t}", f"unknown price tier '{t}'") for t in mix if t not in PRICE_TIERS
    ]
    total = sum(mix.values())
    if not math.isclose(total, 1.0, abs_tol=SUM_TOLERANCE):
        out.append(("value.tier_mix", f"shares sum to {total:.4g}, not 1"))
    return out


def _bounds_order(value: Any) -> list[tuple[str, str]]:
    return [
        (f"value.{name}", f"min {low:g} is above max {high:g}")
        for name, (low, high) in value.items()
        if low > high
    ]


def _weights(
    name: str, title: str, rows: tuple[str, ...], columns: tuple[str, ...], word: str
) -> Table:
    return Table(name, title, rows, _WEIGHT_ROW, columns, word, rows, same_columns=True)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        _weights("segment_types", "Bag types by buyer segment", SEGMENTS, BAG_TYPES, "bag type"),
        _weights(
            "segment_tiers", "Price tiers by buyer segment", SEGMENTS, PRICE_TIERS, "price tier"
        ),
        _weights("region_types", "Bag types by region", BRIEF_REGIONS, BAG_TYPES, "bag type"),
        _weights(
            "region_color_families",
            "Color families by region",
            BRIEF_REGIONS,
            COLOR_FAMILIES,
            "color family",
        ),
        Table(
            "region_materials",
            "Materials by region (others neutral)",
            BRIEF_REGIONS,
            _WEIGHT_ROW,
            MATERIALS,
            "material",
        ),
        Table(
            "region_hardware",
            "Hardware by region",
            BRIEF_REGIONS,
            _WEIGHT_ROW,
            None,
            "hardware",
            BRIEF_REGIONS,
            same_columns=True,
        ),
        _weights("region_tiers", "Price tiers by region", BRIEF_REGIONS, PRICE_TIERS, "price tier"),
        _weights(
            "region_sizes", "Size classes by region", BRIEF_REGIONS, SIZE_CLASSES, "size class"
        ),
        Table(
            "type_occasions",
            "Occasions of each bag type",
            BAG_TYPES,
            _SHARE_ROW,
            OCCASIONS,
            "occasion",
        ),
        Table(
            "type_tiers",
            "Price tier mix of each bag type",
            BAG_TYPES,
            _SHARE_ROW,
            PRICE_TIERS,
            "price tier",
            sums_to_one=True,
        ),
        Table(
            "material_tiers",
            "Price tiers using each material",
            MATERIALS,
            _SHARE_ROW,
            PRICE_TIERS,
            "price tier",
        ),
        Table("month_demand", "Order intake per month", (), _MONTHS),
        Table(
            "occasion_months",
            "Occasions per month",
            OCCASIONS,
            _MONTHS,
            required_rows=OCCASIONS,
        ),
        Table(
            "color_family_months",
            "Color families per month",
            COLOR_FAMILIES,
            _MONTHS,
            required_rows=COLOR_FAMILIES,
        ),
        Table(
            "season_occasions",
            "Occasions by season",
            SEASONS,
            _SLUGS,
            required_rows=SEASONS,
            checks=(_vocabulary_check("", OCCASIONS, "occasion"), _unique_items),
        ),
        Table(
            "styling_pairs",
            "Styling pairs",
            None,
            _adapter(StylingPairValue),
            checks=(_styling_vocabulary,),
        ),
        Table(
            "bundle_pairs",
            "Bundles bought together",
            None,
            _adapter(Annotated[list[Slug], Field(min_length=2, max_length=6)]),
            checks=(_unique_items,),
        ),
        Table(
            "price_model",
            "Price model by buyer segment",
            SEGMENTS,
            _adapter(PriceModelValue),
            required_rows=SEGMENTS,
            checks=(_tier_mix,),
        ),
        Table(
            "ecommerce_factors", "E-commerce success factors", None, _adapter(EcommerceFactorValue)
        ),
        Table("supplier_criteria", "Supplier criteria", None, _adapter(SupplierCriterionValue)),
        Table(
            "range_defaults",
            "Range plan defaults (share of styles)",
            RANGE_DIMENSIONS,
            _BOUNDS,
            required_rows=RANGE_DIMENSIONS,
            checks=(_bounds_order,),
        ),
    )
}

# Columns of each range-plan dimension; the first three split the range (sums must allow 1).
RANGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "bag_type": BAG_TYPES,
    "color_family": COLOR_FAMILIES,
    "price_tier": PRICE_TIERS,
    "occasion": OCCASIONS,
}
RANGE_PARTITIONS = ("bag_type", "color_family", "price_tier")


def split_key(key: str) -> tuple[str, str | None]:
    table, _, row = key.partition(".")
    return table, (row or None)


def check_key(key: str) -> list[Problem]:
    """Is ``key`` a fact the knowledge may hold (known table, allowed row)?"""
    table_name, row = split_key(key)
    table = TABLES.get(table_name)
    if table is None:
        return [Problem(key, "key", f"unknown table '{table_name}' (known: {', '.join(TABLES)})")]
    if table.rows == ():
        return [] if row is None else [Problem(key, "key", f"'{table_name}' takes no row")]
    if row is None:
        return [Problem(key, "key", f"'{table_name}' needs a row: '{table_name}.<row>'")]
    if table.rows is None:
        ok = bool(_SLUG_RE.match(row))
        return [] if ok else [Problem(key, "key", f"row '{row}' is not a lowercase slug")]
    if row not in table.rows:
        return [Problem(key, "key", f"unknown row '{row}' (allowed: {', '.join(table.rows)})")]
    return []


def validate_value(key: str, value: Any) -> tuple[Any, list[Problem]]:
    """The value as plain JSON types (normalised by its Pydantic type), or the problems."""
    problems = check_key(key)
    if problems:
        return None, problems
    table_name, _ = split_key(key)
    table = TABLES[table_name]
    range_columns = (
        RANGE_COLUMNS.get(split_key(key)[1] or "") if table_name == "range_defaults" else None
    )
    columns = range_columns or table.columns
    if columns is not None and isinstance(value, dict):
        word = "value" if range_columns else table.column_word
        problems += [
            Problem(key, f"value.{c}", f"unknown {word} '{c}'") for c in value if c not in columns
        ]
    try:
        parsed = table.value.validate_python(value)
    except ValidationError as exc:
        return None, problems + [
            Problem(key, ".".join(["value", *(str(p) for p in err["loc"])]), err["msg"])
            for err in exc.errors()
        ]
    plain = table.value.dump_python(parsed, mode="json", exclude_none=True)
    if table.sums_to_one and isinstance(plain, dict):
        total = sum(plain.values())
        if not math.isclose(total, 1.0, abs_tol=SUM_TOLERANCE):
            problems.append(Problem(key, "value", f"shares sum to {total:.4g}, not 1"))
    for check in table.checks:
        problems += [Problem(key, where, msg) for where, msg in check(plain)]
    return plain, problems


def check_source(key: str, source: Any) -> list[Problem]:
    if isinstance(source, str) and _SOURCE_RE.match(source):
        return []
    return [Problem(key, "source", "must be 'brief: Table N ...' or 'seller'")]


def check_across(entries: Mapping[str, Any]) -> list[Problem]:
    """Rules across facts: required rows, same columns in a table, range sums."""
    problems: list[Problem] = []
    by_table: dict[str, dict[str, Any]] = {}
    for key, value in entries.items():
        table_name, row = split_key(key)
        by_table.setdefault(table_name, {})[row or ""] = value
    for table in TABLES.values():
        rows = by_table.get(table.name, {})
        for row in table.required_rows:
            if row not in rows:
                problems.append(
                    Problem(f"{table.name}.{row}", "key", "missing (every row is required)")
                )
        if table.rows == () and "" not in rows:
            problems.append(Problem(table.name, "key", "missing"))
        if table.same_columns and rows:
            first_row, first = next(iter(rows.items()))
            for row, value in rows.items():
                if set(value) != set(first):
                    missing = ", ".join(sorted(set(first) - set(value))) or "-"
                    extra = ", ".join(sorted(set(value) - set(first))) or "-"
                    problems.append(
                        Problem(
                            f"{table.name}.{row}",
                            "value",
                            f"columns differ from '{table.name}.{first_row}'"
                            f" (missing: {missing}; extra: {extra})",
                        )
                    )
    for dimension in RANGE_PARTITIONS:
        bounds = by_table.get("range_defaults", {}).get(dimension)
        if not bounds:
            continue
        low = sum(b[0] for b in bounds.values())
        high = sum(b[1] for b in bounds.values())
        key = f"range_defaults.{dimension}"
        if low > 1 + SUM_TOLERANCE:
            problems.append(Problem(key, "value", f"minimum shares sum to {low:.4g}, above 1"))
        if high < 1 - SUM_TOLERANCE:
            problems.append(Problem(key, "value", f"maximum shares sum to {high:.4g}, below 1"))
    return problems


@dataclass(frozen=True)
class Entry:
    """One fact as written: the file's ``[[fact]]`` or a staff edit."""

    key: str
    value: Any
    source: str
    note: str = ""


def validate_entries(entries: Iterable[Entry]) -> dict[str, Entry]:
    """Every entry checked, each normalised; raises KnowledgeError listing every problem."""
    problems: list[Problem] = []
    out: dict[str, Entry] = {}
    for entry in entries:
        if entry.key in out:
            problems.append(Problem(entry.key, "key", "duplicate key (each fact appears once)"))
            continue
        plain, found = validate_value(entry.key, entry.value)
        found += check_source(entry.key, entry.source)
        problems += found
        if not found:
            out[entry.key] = Entry(entry.key, plain, entry.source, entry.note)
    if not problems:
        problems = check_across({k: e.value for k, e in out.items()})
    if problems:
        raise KnowledgeError(problems)
    return out
