"""The catalog file layout (one row per SKU with its style's columns) and row parsing.

Pure: turns the text cells of one row into a style dict and a SKU dict, or into
error items naming the row and the column. Checks that need the database (existing
codes, lifecycle moves) are in catalog/importer.py. See docs/catalog.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from microbag.catalog import policies
from microbag.catalog.tabular import looks_like_formula, unescape_cell
from microbag.errors import ErrorItem
from microbag.money import is_currency, to_minor

# Export order; the importer accepts the columns in any order.
COLUMNS: tuple[str, ...] = (
    "style_code",
    "style_name",
    "bag_type",
    "width_mm",
    "height_mm",
    "depth_mm",
    "weight_g",
    "price_tier",
    "season",
    "occasions",
    "holds",
    "phone_max_mm",
    "lining",
    "description",
    "limited_edition",
    "drop_date",
    "edition_size",
    "images",
    "style_lifecycle",
    "sku",
    "color",
    "material",
    "hardware",
    "sku_lifecycle",
    "retail_price",
    "currency",
)
REQUIRED: tuple[str, ...] = (
    "style_code",
    "style_name",
    "bag_type",
    "width_mm",
    "height_mm",
    "depth_mm",
    "price_tier",
    "season",
    "sku",
    "color",
    "material",
)
# Several values in one cell are separated by semicolons.
LIST_SEPARATOR = ";"
MAX_LENGTH = {"style_name": 200, "description": 5000, "lining": 64, "images": 500}
MAX_LIST_ITEMS = {"images": 20, "occasions": 5, "holds": 10}
_TRUE = {"true", "yes", "y", "1", "x"}
# First characters after which a cell may be escaped or formula-like (or padded).
_SUSPECT_FIRST = frozenset("'=+-@\t\r\n \u00a0")
_FALSE = {"false", "no", "n", "0", ""}
STYLE_FIELDS = (
    "code",
    "name",
    "description",
    "bag_type",
    "width_mm",
    "height_mm",
    "depth_mm",
    "weight_g",
    "holds",
    "phone_max_mm",
    "lining",
    "price_tier",
    "season",
    "occasions",
    "is_limited_edition",
    "drop_date",
    "edition_size",
    "images",
    "lifecycle",
)


def normalize_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


def header_errors(header: list[str]) -> tuple[dict[str, int], list[ErrorItem]]:
    """Column positions by name, and errors (reported once, on row 1)."""
    names = [normalize_header(h) for h in header]
    positions: dict[str, int] = {}
    errors: list[ErrorItem] = []
    duplicates = sorted({n for n in names if n and names.count(n) > 1})
    if duplicates:
        errors.append(
            ErrorItem("duplicate_columns", f"columns appear twice: {', '.join(duplicates)}", 1)
        )
    unknown = [h for h, n in zip(header, names, strict=True) if n and n not in COLUMNS]
    if unknown:
        errors.append(
            ErrorItem(
                "unknown_columns",
                f"unknown columns: {', '.join(unknown)} (expected some of: {', '.join(COLUMNS)})",
                1,
            )
        )
    for i, n in enumerate(names):
        if n in COLUMNS and n not in positions:
            positions[n] = i
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        errors.append(
            ErrorItem("missing_columns", f"missing required columns: {', '.join(missing)}", 1)
        )
    return positions, errors


@dataclass
class ParsedRow:
    line: int
    style: dict[str, Any]
    sku: dict[str, Any]
    # Style fields given explicitly in this row (others take defaults or stay unchanged).
    holds_given: bool = False
    phone_given: bool = False
    errors: list[ErrorItem] = field(default_factory=list)


class _Row:
    """Cell access for one row, collecting errors with the row number and column."""

    def __init__(self, line: int, cells: list[str], positions: dict[str, int]) -> None:
        self.line = line
        self.cells = cells
        self.positions = positions
        self.errors: list[ErrorItem] = []

    def error(self, code: str, column: str, message: str) -> None:
        self.errors.append(ErrorItem(code, f"row {self.line}: {message}", self.line, column))

    def text(self, column: str, required: bool = False) -> str:
        i = self.positions.get(column)
        raw = self.cells[i] if i is not None and i < len(self.cells) else ""
        # Most cells start with a letter or digit: only the others need the checks.
        value, escaped = unescape_cell(raw) if raw[:1] in _SUSPECT_FIRST else (raw, False)
        if not escaped and raw[:1] in _SUSPECT_FIRST and looks_like_formula(value):
            self.error(
                "formula_cell",
                column,
                f"{column} {value[:40]!r} looks like a spreadsheet formula "
                "(starts with = + - or @); rejected as a possible formula injection",
            )
            return ""
        value = value.strip()
        if "\x00" in value:
            self.error("invalid_text", column, f"{column} contains a NUL character")
            return ""
        if required and not value:
            self.error("missing_value", column, f"{column} is required")
        limit = MAX_LENGTH.get(column)
        if limit and column != "images" and len(value) > limit:
            self.error("too_long", column, f"{column} is longer than {limit} characters")
        return value

    def integer(
        self, column: str, required: bool = False, default: int | None = None
    ) -> int | None:
        value = self.text(column, required)
        if not value:
            return default
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            self.error("invalid_number", column, f"{column} {value[:40]!r} is not a whole number")
            return None
        if abs(number) > 10**9:
            self.error("invalid_number", column, f"{column} {value[:40]!r} is absurdly large")
            return None
        return int(number)

    def vocab(self, column: str, field_name: str, value: str) -> str:
        normalized = (
            policies.normalize_material(value)
            if field_name == "material"
            else policies.normalize_season(value)
            if field_name == "season"
            else policies.normalize_slug(value)
        )
        error = policies.vocabulary_error(field_name, normalized)
        if error is not None:
            self.error(error.code, column, error.message)
        return normalized

    def items(self, column: str, field_name: str) -> list[str] | None:
        value = self.text(column)
        if not value:
            return None
        items = [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]
        limit = MAX_LIST_ITEMS[column]
        if len(items) > limit:
            self.error("too_many_values", column, f"{column} has more than {limit} values")
        if field_name == "images":
            for item in items:
                if len(item) > MAX_LENGTH["images"]:
                    self.error("too_long", column, "an image reference exceeds 500 characters")
            return items
        values = sorted({self.vocab(column, field_name, v) for v in items})
        return policies.canonical_holds(values) if field_name == "holds" else values

    def code(self, column: str) -> str:
        value = self.text(column, required=True)
        if value and not policies.is_code(value):
            self.error(
                "invalid_code",
                column,
                f"{column} {value[:70]!r} must be 1-64 letters, digits, '.', '-' or '_'",
            )
        return value

    def boolean(self, column: str) -> bool:
        value = self.text(column).lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.error("invalid_boolean", column, f"{column} {value[:20]!r} is not yes/no")
        return False

    def day(self, column: str) -> date | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            self.error("invalid_date", column, f"{column} {value[:30]!r} is not a YYYY-MM-DD date")
            return None


def parse_row(line: int, cells: list[str], positions: dict[str, int]) -> ParsedRow:
    """Parse and check one row on its own (no database)."""
    r = _Row(line, cells, positions)
    style: dict[str, Any] = {
        "code": r.code("style_code"),
        "name": r.text("style_name", required=True),
        "description": r.text("description"),
        "lining": r.text("lining"),
    }
    bag_type = r.text("bag_type", required=True)
    style["bag_type"] = r.vocab("bag_type", "bag_type", bag_type) if bag_type else ""
    dims = {c: r.integer(c, required=True) for c in ("width_mm", "height_mm", "depth_mm")}
    weight = r.integer("weight_g", default=0)
    style.update(dims)
    style["weight_g"] = weight
    if all(v is not None for v in dims.values()) and weight is not None:
        for error in policies.dimension_errors(
            dims["width_mm"] or 0, dims["height_mm"] or 0, dims["depth_mm"] or 0, weight
        ):
            r.error(error.code, error.field or "width_mm", error.message)
    for column in ("price_tier", "season"):
        value = r.text(column, required=True)
        style[column] = r.vocab(column, column, value) if value else ""
    style["occasions"] = r.items("occasions", "occasion") or []
    holds = r.items("holds", "holds")
    style["holds"] = holds
    phone = r.integer("phone_max_mm")
    if phone is not None and not 1 <= phone <= policies.DIMENSION_MAX_MM:
        r.error("invalid_dimension", "phone_max_mm", "phone_max_mm must be 1..600 mm")
    style["phone_max_mm"] = phone
    style["is_limited_edition"] = r.boolean("limited_edition")
    style["drop_date"] = r.day("drop_date")
    style["edition_size"] = r.integer("edition_size")
    unparsable = {e.field for e in r.errors} & {"limited_edition", "drop_date", "edition_size"}
    if not unparsable:
        for error in policies.limited_edition_errors(
            style["is_limited_edition"], style["drop_date"], style["edition_size"]
        ):
            r.error(error.code, error.field or "limited_edition", error.message)
    style["images"] = r.items("images", "images") or []
    style["lifecycle"] = _lifecycle(r, "style_lifecycle")

    sku: dict[str, Any] = {"code": r.code("sku")}
    color = r.text("color", required=True)
    sku["color"] = r.vocab("color", "color", color) if color else ""
    material = r.text("material", required=True)
    sku["material"] = r.vocab("material", "material", material) if material else ""
    hardware = r.text("hardware")
    sku["hardware"] = r.vocab("hardware", "hardware", hardware) if hardware else ""
    sku["lifecycle"] = _lifecycle(r, "sku_lifecycle")
    sku["retail_price"] = _retail_price(r)
    return ParsedRow(
        line,
        style,
        sku,
        holds_given=holds is not None,
        phone_given=phone is not None,
        errors=r.errors,
    )


def _lifecycle(r: _Row, column: str) -> str | None:
    value = r.text(column)
    if not value:
        return None
    return r.vocab(column, "lifecycle", value)


def _retail_price(r: _Row) -> dict[str, Any] | None:
    """Recommended retail price (optional): both ``retail_price`` and ``currency``."""
    amount = r.text("retail_price")
    currency = r.text("currency").upper()
    if not amount and not currency:
        return None
    if currency and not is_currency(currency):
        r.error("unknown_currency", "currency", f"currency {currency[:10]!r} is not ISO 4217")
        return None
    if not amount or not currency:
        missing = "currency" if amount else "retail_price"
        r.error("missing_value", missing, "retail_price and currency go together")
        return None
    try:
        minor = to_minor(amount, currency)
    except (ValueError, ArithmeticError):
        r.error("invalid_price", "retail_price", f"retail_price {amount[:30]!r} is not valid")
        return None
    if minor < 0 or minor > 10**12:
        r.error("invalid_price", "retail_price", "retail_price must be 0 or more (and sane)")
        return None
    return {"amount_minor": minor, "currency": currency}


def style_differences(first: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """Style columns on which two rows of the same style disagree."""
    return [
        f
        for f in STYLE_FIELDS
        if f != "code" and other.get(f) is not None and first.get(f) != other.get(f)
    ]
