"""Pure rules of the sales history: column mappings, countries to regions, weeks.

Nothing here touches the database. Mappings are JSON documents (the packaged ones in
``history/mappings/``, or any file given by path); see docs/intelligence.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale

from microbag.buyers.policies import REGIONS, is_country_code, region_for_country
from microbag.errors import DomainError, ErrorItem
from microbag.money import is_currency

# Logical columns a mapping names; the first five are required.
REQUIRED_COLUMNS = ("invoice", "sku", "quantity", "invoiced_at", "unit_price")
OPTIONAL_COLUMNS = ("description", "customer_ref", "country", "currency")
MAPPINGS_PACKAGE = "microbag.history"


@dataclass(frozen=True)
class Mapping:
    """How another system's sales file is laid out."""

    name: str
    source: str
    # logical column -> the file's header
    columns: dict[str, str]
    currency: str | None = None
    datetime_formats: tuple[str, ...] = ("%Y-%m-%d %H:%M:%S",)
    timezone: str = "UTC"
    cancellation_prefix: str = ""
    non_product_codes: frozenset[str] = frozenset()
    non_product_patterns: tuple[str, ...] = ()
    default_country: str | None = None
    delimiter: str = ","
    description: str = ""

    def header(self, logical: str) -> str | None:
        return self.columns.get(logical)

    def is_non_product(self, code: str) -> bool:
        if code in self.non_product_codes:
            return True
        return any(re.search(p, code) for p in self.non_product_patterns)


def _bad_mapping(message: str) -> DomainError:
    return DomainError(ErrorItem("invalid_mapping", message))


def parse_mapping(data: Any, name: str) -> Mapping:
    """Validate a mapping document; every problem is reported as ``invalid_mapping``."""
    if not isinstance(data, dict):
        raise _bad_mapping(f"mapping {name}: the document must be a JSON object")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in columns.items()
    ):
        raise _bad_mapping(f"mapping {name}: 'columns' must map logical names to headers")
    problems = [f"'columns' lacks {c!r}" for c in REQUIRED_COLUMNS if c not in columns]
    unknown = sorted(set(columns) - set(REQUIRED_COLUMNS) - set(OPTIONAL_COLUMNS))
    if unknown:
        problems.append(f"unknown logical columns {unknown}")
    currency = data.get("currency")
    if currency is None and "currency" not in columns:
        problems.append("give a fixed 'currency' or a 'currency' column")
    if currency is not None and not is_currency(str(currency)):
        problems.append(f"currency {currency!r} is not an ISO 4217 code")
    timezone = str(data.get("timezone", "UTC"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"unknown time zone {timezone!r}")
    formats = data.get("datetime_formats", ["%Y-%m-%d %H:%M:%S"])
    if not isinstance(formats, list) or not formats or not all(isinstance(f, str) for f in formats):
        problems.append("'datetime_formats' must be a non-empty list of strptime formats")
    patterns = data.get("non_product_patterns", [])
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            problems.append(f"bad non_product_pattern {pattern!r}: {exc}")
    delimiter = str(data.get("delimiter", ","))
    if len(delimiter) != 1:
        problems.append("'delimiter' must be one character")
    if problems:
        raise DomainError([ErrorItem("invalid_mapping", f"mapping {name}: {p}") for p in problems])
    return Mapping(
        name=str(data.get("name", name)),
        source=str(data.get("source", data.get("name", name)))[:64],
        columns=dict(columns),
        currency=currency,
        datetime_formats=tuple(formats),
        timezone=timezone,
        cancellation_prefix=str(data.get("cancellation_prefix", "")),
        non_product_codes=frozenset(data.get("non_product_codes", [])),
        non_product_patterns=tuple(patterns),
        default_country=data.get("default_country"),
        delimiter=delimiter,
        description=str(data.get("description", "")),
    )


def packaged_mappings() -> list[str]:
    folder = resources.files(MAPPINGS_PACKAGE).joinpath("mappings")
    return sorted(
        p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")
    )


def load_mapping(spec: str) -> Mapping:
    """A packaged mapping by name (``online-retail``) or a JSON mapping file by path."""
    path = Path(spec)
    if spec.endswith(".json") or path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise _bad_mapping(f"cannot read mapping file {spec}: {exc.strerror or exc}") from exc
    else:
        if spec not in packaged_mappings():
            raise _bad_mapping(
                f"unknown mapping {spec!r}: use one of {packaged_mappings()} or a .json file path"
            )
        folder = resources.files(MAPPINGS_PACKAGE).joinpath("mappings")
        text = folder.joinpath(f"{spec}.json").read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad_mapping(
            f"mapping {spec}: not valid JSON ({exc.msg}, line {exc.lineno})"
        ) from exc
    return parse_mapping(data, path.stem if path.suffix == ".json" else spec)


# ---- countries and regions ------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    country: str | None  # ISO 3166-1 alpha-2
    region: str


@lru_cache(maxsize=1)
def _country_table() -> tuple[dict[str, str | None], dict[str, str]]:
    raw = json.loads(resources.files(MAPPINGS_PACKAGE).joinpath("countries.json").read_text())
    names: dict[str, str | None] = {}
    # English names CLDR knows ("Germany", "United Kingdom"), then the data's own names.
    for code, label in Locale("en").territories.items():
        if is_country_code(str(code)):
            names[str(label).casefold()] = str(code)
    for label, code in raw["names"].items():
        names[label.casefold()] = code
    regions = {label.casefold(): region for label, region in raw["regions"].items()}
    return names, regions


def place_for_country(text: str | None, default: str | None = None) -> Place:
    """Where a line's buyer is: ``"EIRE"`` -> IE/europe; ``"Channel Islands"`` -> -/europe."""
    value = (text or default or "").strip()
    if not value:
        return Place(None, "other")
    names, regions = _country_table()
    key = value.casefold()
    if key in regions:
        return Place(names.get(key), regions[key])
    code: str | None
    code = value.upper() if len(value) == 2 and is_country_code(value.upper()) else names.get(key)
    if code is None:
        return Place(None, "other")
    return Place(code, region_for_country(code))


def is_region(value: str) -> bool:
    return value in REGIONS


# ---- lines and weeks ------------------------------------------------------------------------


def line_flags(invoice: str, quantity: int, cancellation_prefix: str) -> tuple[bool, bool]:
    """(is_return, is_cancellation): a line is a sale, a return or a cancellation.

    A cancelled invoice's lines are cancellations whatever their sign; a negative
    quantity on any other invoice is a return. Neither counts in gross units.
    """
    cancelled = bool(cancellation_prefix) and invoice.startswith(cancellation_prefix)
    return (quantity < 0 and not cancelled), cancelled


def counts_as_sale(
    quantity: int, is_return: bool, is_cancellation: bool, non_product: bool
) -> bool:
    """Gross units ordered: positive quantities of product lines that are neither."""
    return quantity > 0 and not (is_return or is_cancellation or non_product)


def week_start(day: date | datetime) -> date:
    """The Monday that starts the (ISO) week of ``day``."""
    as_date = day.date() if isinstance(day, datetime) else day
    return as_date - timedelta(days=as_date.weekday())


def clean_customer_ref(value: str | None) -> str | None:
    """``"17850.0"`` (a spreadsheet's float) -> ``"17850"``; blank -> None."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    return re.sub(r"^(\d+)\.0+$", r"\1", text)[:64]
