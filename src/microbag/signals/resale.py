"""Resale marketplace listings (JSON lines, e.g. ../shared/data/luxury-resale-handbags) as signals.

Each listing carries its category, size label, material, color, title and dated price
points (``trends: [{date, price}]``). Attribute extraction reads the structured fields
first and the title after (so a "mini" size label decides the size class, "crossbody"
the type), plus a price tier from the listing's price. For every attribute value and
week (Monday) two points are written, region ``all``:

- ``listings`` (unit ``count``): distinct listings with a price point that week;
- ``median_price`` (unit: the listings' currency): the median of those price points.

A listing is an offer, not a sale: these are supply-side signals.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from microbag.errors import DomainError, ErrorItem
from microbag.filelimits import GZIP_ERRORS, FileLimitError, FileLimits, gunzip_bounded
from microbag.money import is_currency
from microbag.signals.importer import SignalImportReport, check_source, store_points
from microbag.trends.attributes import extract_fields, price_tier

ATTRIBUTES = ("bag_type", "size_class", "color", "material", "price_tier", "occasion")
MAX_ERRORS = 1000


def _open_lines(path: Path) -> tuple[list[str], str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DomainError(
            ErrorItem("unreadable_file", f"{path.name}: cannot read ({exc.strerror or exc})")
        ) from exc
    if data.startswith(b"\x1f\x8b"):
        try:
            # In chunks, given up past the cap: a small file may inflate a thousand-fold.
            data = gunzip_bounded(data, FileLimits.from_settings().max_uncompressed_bytes)
        except FileLimitError as exc:
            raise DomainError(
                ErrorItem(exc.code, f"{path.name}: {exc.message}"), exc.status
            ) from exc
        except GZIP_ERRORS as exc:
            raise DomainError(
                ErrorItem("unreadable_file", f"{path.name}: truncated or corrupt gzip ({exc})")
            ) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DomainError(ErrorItem("unreadable_file", f"{path.name}: not UTF-8 text")) from exc
    return text.splitlines(), hashlib.sha256(data).hexdigest()


def _listing_rows(
    name: str, number: int, listing: Any
) -> tuple[list[tuple[Any, ...]], ErrorItem | None]:
    if not isinstance(listing, dict):
        return [], ErrorItem("invalid_listing", f"{name}: line {number}: not a JSON object", number)
    currency = str(listing.get("currency") or "")
    if not is_currency(currency):
        return [], ErrorItem(
            "unknown_currency", f"{name}: line {number}: currency {currency!r} unknown", number
        )
    texts = [listing.get(k) for k in ("category", "size", "material", "color", "title")]
    attrs = extract_fields(*[t if isinstance(t, str) else None for t in texts])
    price = listing.get("price")
    if isinstance(price, int | float) and price > 0:
        tier = price_tier(round(price * 100), currency)
        if tier:
            attrs["price_tier"] = tier
    key = str(listing.get("id") or f"line-{number}")
    rows = []
    for point in listing.get("trends") or []:
        if not isinstance(point, dict):
            continue
        day, value = point.get("date"), point.get("price")
        if not isinstance(day, str) or not isinstance(value, int | float) or value <= 0:
            return [], ErrorItem(
                "invalid_price_point",
                f"{name}: line {number}: price point {point!r} needs a date and a price > 0",
                number,
            )
        try:
            when = date.fromisoformat(day)
        except ValueError:
            return [], ErrorItem(
                "invalid_price_point", f"{name}: line {number}: bad date {day!r}", number
            )
        for attribute in ATTRIBUTES:
            found = attrs.get(attribute)
            for one in found if isinstance(found, list) else [found]:
                if one:
                    rows.append((key, attribute, one, when, float(value), currency))
    return rows, None


def import_resale_listings(
    session: Session, path: Path, source: str, *, actor: str = ""
) -> SignalImportReport:
    """Weekly listing counts and median prices per attribute value (all or nothing)."""
    check_source(source)
    lines, digest = _open_lines(path)
    rows: list[tuple[Any, ...]] = []
    errors: list[ErrorItem] = []
    listings = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        listings += 1
        try:
            listing = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(
                ErrorItem("invalid_json", f"{path.name}: line {number}: {exc.msg}", number)
            )
            continue
        found, error = _listing_rows(path.name, number, listing)
        if error is not None:
            errors.append(error)
        rows.extend(found)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise DomainError(errors)
    if not rows:
        raise DomainError(ErrorItem("no_rows", f"{path.name}: no listing with a price point"))
    currencies = sorted({r[5] for r in rows})
    if len(currencies) > 1:
        raise DomainError(
            ErrorItem(
                "mixed_currencies",
                f"{path.name}: prices in {', '.join(currencies)}: import one currency per file",
            )
        )
    frame = pl.DataFrame(
        rows,
        schema={
            "listing": pl.String,
            "attribute": pl.String,
            "term": pl.String,
            "day": pl.Date,
            "price": pl.Float64,
            "currency": pl.String,
        },
        orient="row",
    ).with_columns(pl.col("day").dt.truncate("1w").alias("period_start"))
    weekly = frame.group_by("attribute", "term", "period_start", "currency").agg(
        pl.col("listing").n_unique().alias("listings"),
        pl.col("price").median().alias("median_price"),
    )
    points: list[dict[str, Any]] = []
    for row in weekly.sort("attribute", "term", "period_start").iter_rows(named=True):
        base = {
            "attribute": row["attribute"],
            "term": row["term"],
            "region": "all",
            "period_start": row["period_start"],
        }
        points.append(
            base | {"metric": "listings", "value": float(row["listings"]), "unit": "count"}
        )
        points.append(
            base
            | {
                "metric": "median_price",
                "value": round(float(row["median_price"]), 2),
                "unit": row["currency"],
            }
        )
    return store_points(
        session,
        points,
        source=source,
        fmt="resale-listings",
        file_name=path.name,
        sha256=digest,
        rows_read=listings,
        actor=actor,
    )
