"""Checking and converting a sales file's text columns, all rows at once (polars).

Each check is a column expression that is true on a bad row; the bad rows become
``ErrorItem``s naming the file, line, column and reason. Good rows come out in the
history's own columns, with times in UTC and countries mapped to regions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import polars as pl

from microbag.errors import ErrorItem
from microbag.history.policies import Mapping, place_for_country
from microbag.history.reading import LINE, RawTable
from microbag.money import is_currency, minor_digits

MAX_CODE = 64
MAX_DESCRIPTION = 500
# Quantities and prices beyond these are typing accidents, and would overflow columns.
MAX_ABS_QUANTITY = 10_000_000
MAX_ABS_PRICE_MINOR = 10**12

LINE_COLUMNS = (
    "external_invoice",
    "sku_code",
    "description",
    "quantity",
    "unit_price_minor",
    "currency",
    "invoiced_at",
    "customer_ref",
    "country",
    "region",
    "is_return",
    "is_cancellation",
    "is_non_product",
    "source_line",
)


@dataclass
class Converted:
    lines: pl.DataFrame
    rows_read: int
    skipped_until: int
    bad_rows: int
    errors: list[ErrorItem] = field(default_factory=list)


@dataclass(frozen=True)
class Check:
    code: str
    column: str  # logical column
    reason: str  # "{header} {value!r} ..." is prefixed


def _text(logical: str, mapping: Mapping) -> pl.Expr:
    header = mapping.header(logical)
    if header is None:
        return pl.lit(None, dtype=pl.String)
    return pl.col(header)


def _currency_digits(frame: pl.DataFrame, mapping: Mapping) -> tuple[pl.Expr, pl.Expr]:
    """(currency, minor digits) expressions; unknown currencies give null digits."""
    if mapping.header("currency") is None:
        assert mapping.currency is not None  # noqa: S101 - checked when the mapping loads
        return pl.lit(mapping.currency), pl.lit(minor_digits(mapping.currency))
    column = _text("currency", mapping).str.to_uppercase()
    values = frame.select(column.unique().drop_nulls()).to_series().to_list()
    digits = {v: minor_digits(v) for v in values if is_currency(v)}
    fallback = mapping.currency
    currency = column.fill_null(pl.lit(fallback)) if fallback else column
    return currency, currency.replace_strict(
        digits | ({fallback: minor_digits(fallback)} if fallback else {}),
        default=None,
        return_dtype=pl.Int64,
    )


def convert(
    table: RawTable, mapping: Mapping, until: date | None, *, max_errors: int = 1000
) -> Converted:
    frame = table.frame
    rows_read = frame.height
    quantity_num = _text("quantity", mapping).cast(pl.Float64, strict=False)
    price_num = _text("unit_price", mapping).cast(pl.Float64, strict=False)
    currency, digits = _currency_digits(frame, mapping)
    raw_time = _text("invoiced_at", mapping)
    local = pl.coalesce(
        [
            raw_time.str.strptime(pl.Datetime("us"), f, strict=False)
            for f in mapping.datetime_formats
        ]
    )
    frame = frame.with_columns(
        local.alias("_local"),
        pl.when(
            quantity_num.is_finite()
            & (quantity_num == quantity_num.round(0))
            & (quantity_num.abs() <= MAX_ABS_QUANTITY)
        )
        .then(quantity_num.cast(pl.Int64))
        .alias("_quantity"),
        currency.alias("_currency"),
        pl.when(price_num.is_finite())
        .then((price_num * pl.lit(10.0).pow(digits)).round(0))
        .alias("_price"),
    )
    frame = frame.with_columns(
        pl.col("_local")
        .dt.replace_time_zone(mapping.timezone, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        .alias("_utc")
    )
    skipped_until = 0
    if until is not None:
        limit = datetime(until.year, until.month, until.day)
        later = pl.col("_local").is_not_null() & (pl.col("_local") >= limit)
        skipped_until = int(frame.select(later.sum()).item())
        frame = frame.filter(~later)

    invoice, sku = _text("invoice", mapping), _text("sku", mapping)
    non_product = sku.is_in(list(mapping.non_product_codes))
    for pattern in mapping.non_product_patterns:
        non_product = non_product | sku.str.contains(pattern)
    frame = frame.with_columns(non_product.fill_null(False).alias("_non_product"))
    checks: list[tuple[Check, pl.Expr]] = [
        (Check("missing_value", "invoice", "is empty"), invoice.is_null()),
        (
            Check("too_long", "invoice", f"is longer than {MAX_CODE}"),
            invoice.str.len_chars() > MAX_CODE,
        ),
        (Check("missing_value", "sku", "is empty"), sku.is_null()),
        (Check("too_long", "sku", f"is longer than {MAX_CODE}"), sku.str.len_chars() > MAX_CODE),
        (
            Check("invalid_quantity", "quantity", "is not a whole number"),
            pl.col("_quantity").is_null() & _text("quantity", mapping).is_not_null(),
        ),
        (Check("missing_value", "quantity", "is empty"), _text("quantity", mapping).is_null()),
        (
            Check("zero_quantity", "quantity", "is 0: a line must sell or return something"),
            pl.col("_quantity") == 0,
        ),
        (
            Check("invalid_price", "unit_price", "is not a number"),
            pl.col("_price").is_null() & _text("unit_price", mapping).is_not_null(),
        ),
        (Check("missing_value", "unit_price", "is empty"), _text("unit_price", mapping).is_null()),
        (
            Check("invalid_price", "unit_price", "is out of range"),
            pl.col("_price").abs() > MAX_ABS_PRICE_MINOR,
        ),
        (
            Check("negative_price", "unit_price", "is negative on a product line"),
            (pl.col("_price") < 0) & ~pl.col("_non_product"),
        ),
        (
            Check(
                "invalid_datetime",
                "invoiced_at",
                "is not a date and time like " + " or ".join(mapping.datetime_formats),
            ),
            pl.col("_local").is_null(),
        ),
        (
            Check("nonexistent_time", "invoiced_at", f"does not exist in {mapping.timezone}"),
            pl.col("_local").is_not_null() & pl.col("_utc").is_null(),
        ),
    ]
    if mapping.header("currency") is not None:
        checks.append(
            (
                Check("unknown_currency", "currency", "is not an ISO 4217 currency"),
                pl.col("_currency").is_not_null() & digits.is_null(),
            )
        )
    flags = frame.select(
        pl.col(LINE),
        *[expr.fill_null(False).alias(f"_c{i}") for i, (_c, expr) in enumerate(checks)],
    )
    bad_mask = pl.any_horizontal(pl.col(f"_c{i}") for i in range(len(checks)))
    bad = flags.filter(bad_mask)
    errors = _error_items(table, mapping, frame, bad, checks, max_errors)
    good = frame.join(bad.select(LINE), on=LINE, how="anti") if bad.height else frame
    return Converted(
        lines=_standardize(good, mapping),
        rows_read=rows_read,
        skipped_until=skipped_until,
        bad_rows=bad.height,
        errors=errors,
    )


def _error_items(
    table: RawTable,
    mapping: Mapping,
    frame: pl.DataFrame,
    bad: pl.DataFrame,
    checks: list[tuple[Check, pl.Expr]],
    max_errors: int,
) -> list[ErrorItem]:
    if bad.is_empty():
        return []
    shown = bad.head(max_errors)
    values = frame.join(shown.select(LINE), on=LINE, how="semi")
    by_line = {row[LINE]: row for row in values.iter_rows(named=True)}
    items: list[ErrorItem] = []
    for row in shown.iter_rows(named=True):
        line = row[LINE]
        for i, (check, _expr) in enumerate(checks):
            if not row[f"_c{i}"]:
                continue
            header = mapping.header(check.column) or check.column
            value = by_line[line].get(header)
            shown_value = "" if value is None else f" {value[:60]!r}"
            items.append(
                ErrorItem(
                    check.code,
                    f"{table.name}: line {line}: {header}{shown_value} {check.reason}",
                    line,
                    field=header,
                )
            )
    return items


def _places(frame: pl.DataFrame, mapping: Mapping) -> tuple[pl.Expr, pl.Expr]:
    country = _text("country", mapping)
    names = frame.select(country.unique()).to_series().to_list()
    places = {name: place_for_country(name, mapping.default_country) for name in names}
    known = {k: v for k, v in places.items() if k is not None}
    fallback = place_for_country(None, mapping.default_country)
    codes = country.replace_strict(
        {k: v.country for k, v in known.items()}, default=fallback.country, return_dtype=pl.String
    )
    regions = country.replace_strict(
        {k: v.region for k, v in known.items()}, default=fallback.region, return_dtype=pl.String
    )
    return codes, regions


def _standardize(frame: pl.DataFrame, mapping: Mapping) -> pl.DataFrame:
    invoice = _text("invoice", mapping)
    prefix = mapping.cancellation_prefix
    cancelled = invoice.str.starts_with(prefix) if prefix else pl.lit(False)
    country, region = _places(frame, mapping)
    customer = _text("customer_ref", mapping).str.replace(r"^(\d+)\.0+$", "${1}").str.slice(0, 64)
    out = frame.select(
        invoice.alias("external_invoice"),
        _text("sku", mapping).alias("sku_code"),
        _text("description", mapping)
        .fill_null("")
        .str.slice(0, MAX_DESCRIPTION)
        .alias("description"),
        pl.col("_quantity").alias("quantity"),
        pl.col("_price").cast(pl.Int64).alias("unit_price_minor"),
        pl.col("_currency").alias("currency"),
        pl.col("_utc").alias("invoiced_at"),
        customer.alias("customer_ref"),
        country.alias("country"),
        region.alias("region"),
        cancelled.alias("is_cancellation"),
        pl.col("_non_product").alias("is_non_product"),
        pl.col(LINE).alias("source_line"),
    )
    out = out.with_columns(
        ((pl.col("quantity") < 0) & ~pl.col("is_cancellation")).alias("is_return")
    )
    return out.select(LINE_COLUMNS)
