"""``microbag import sales``: other systems' sales files into the history, all or nothing.

Flow: read every file (history/reading.py) -> check the headers against the mapping
and refuse files already imported -> convert and check every row at once with polars
(a bad row is reported with its file, line, column and reason) -> drop rows dated on or
after ``until`` -> if any row is bad, raise one DomainError naming them (nothing was
written) unless ``skip_bad`` -> create catalog SKUs for unknown product codes ->
bulk-write the lines (history/writing.py: COPY on PostgreSQL, executemany on SQLite).
The caller's unit of work commits; any error rolls everything back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from microbag.errors import DomainError, ErrorItem
from microbag.history import writing
from microbag.history.conversion import Converted, convert
from microbag.history.models import SalesImportBatch, SalesImportFile
from microbag.history.policies import Mapping, load_mapping
from microbag.history.reading import RawTable, read_table
from microbag.history.skus import ProductSeen, create_imported_skus, existing_sku_ids
from microbag.timeutil import utcnow

# Progress callback: (stage, done, total); stages "read", "check" and "write".
Progress = Callable[[str, int, int], None]
# At most this many bad rows are listed (the count of all of them is reported too).
MAX_ERRORS = 1000


@dataclass
class FileSummary:
    name: str
    rows: int
    imported: int
    skipped_until: int
    bad: int


@dataclass
class SalesImportReport:
    batch_id: int
    source: str
    mapping: str
    files: list[FileSummary]
    rows_read: int
    rows_imported: int
    skipped_until: int
    skipped_bad: int
    returns: int
    cancellations: int
    non_product: int
    skus_created: int
    skus_matched: int
    write_method: str
    seconds: float
    # Bad rows left out with --skip-bad (the first MAX_ERRORS of them).
    skipped: list[ErrorItem] = field(default_factory=list)


def _noop(_stage: str, _done: int, _total: int) -> None:
    return None


def _header_errors(table: RawTable, mapping: Mapping) -> list[ErrorItem]:
    missing = [h for h in mapping.columns.values() if h not in table.header]
    if not missing:
        return []
    return [
        ErrorItem(
            "missing_columns",
            f"{table.name}: line 1: missing column(s) {', '.join(missing)} "
            f"(mapping {mapping.name} expects {', '.join(mapping.columns.values())}; "
            f"the file has {', '.join(table.header)})",
            1,
            field=table.name,
        )
    ]


def _already_imported(session: Session, tables: list[RawTable], source: str) -> list[ErrorItem]:
    errors: list[ErrorItem] = []
    seen: dict[str, str] = {}
    for table in tables:
        if table.sha256 in seen:
            errors.append(
                ErrorItem(
                    "duplicate_file",
                    f"{table.name}: same content as {seen[table.sha256]} in this import",
                    field=table.name,
                )
            )
        seen[table.sha256] = table.name
    rows = session.execute(
        select(
            SalesImportFile.sha256,
            SalesImportFile.name,
            SalesImportFile.batch_id,
            SalesImportBatch.until,
        )
        .join(SalesImportBatch, SalesImportBatch.id == SalesImportFile.batch_id)
        .where(SalesImportFile.source == source, SalesImportFile.sha256.in_(list(seen)))
    )
    earlier = {sha: (name, batch_id, until) for sha, name, batch_id, until in rows}
    for table in tables:
        if table.sha256 not in earlier:
            continue
        name, batch_id, until = earlier[table.sha256]
        part = f", rows before {until}" if until else ""
        errors.append(
            ErrorItem(
                "already_imported",
                f"{table.name}: already imported for {source} (as {name}, batch {batch_id}"
                f"{part}); importing it again would count its lines twice",
                field=table.name,
            )
        )
    return errors


def _products(lines: pl.DataFrame) -> list[ProductSeen]:
    """Each product code once, with its most common description and median sale price."""
    if lines.is_empty():
        return []
    summary = (
        lines.filter(~pl.col("is_non_product"))
        .group_by("sku_code")
        .agg(
            pl.col("description")
            .filter(pl.col("description") != "")
            .mode()
            .sort()
            .first()
            .alias("description"),
            pl.col("unit_price_minor").filter(pl.col("quantity") > 0).median().alias("price"),
            pl.col("currency").first(),
        )
        .sort("sku_code")
    )
    return [
        ProductSeen(
            code=row["sku_code"],
            description=row["description"] or "",
            typical_price_minor=None if row["price"] is None else round(row["price"]),
            currency=row["currency"],
        )
        for row in summary.iter_rows(named=True)
    ]


def _link_skus(session: Session, lines: pl.DataFrame, source: str) -> tuple[pl.DataFrame, int, int]:
    products = _products(lines)
    known = existing_sku_ids(session, [p.code for p in products])
    created = create_imported_skus(session, [p for p in products if p.code not in known], source)
    ids = known | created
    codes = pl.DataFrame(
        {"sku_code": list(ids), "sku_id": list(ids.values())},
        schema={"sku_code": pl.String, "sku_id": pl.Int64},
    )
    linked = lines.join(codes, on="sku_code", how="left")
    return linked, len(created), len(known)


def import_sales(
    session: Session,
    paths: Sequence[Path],
    mapping: Mapping | str,
    *,
    until: date | None = None,
    skip_bad: bool = False,
    progress: Progress | None = None,
    actor: str = "",
) -> SalesImportReport:
    """Import sales files with a column mapping; raise with every problem, or write all."""
    started = time.perf_counter()
    report = progress or _noop
    spec = load_mapping(mapping) if isinstance(mapping, str) else mapping
    if not paths:
        raise DomainError(ErrorItem("no_files", "give at least one file to import"))
    tables: list[RawTable] = []
    errors: list[ErrorItem] = []
    for i, path in enumerate(paths):
        report("read", i, len(paths))
        try:
            table = read_table(path, spec.delimiter)
        except DomainError as exc:
            errors.extend(exc.items)
            continue
        errors.extend(_header_errors(table, spec))
        tables.append(table)
    report("read", len(paths), len(paths))
    if not errors:
        errors.extend(_already_imported(session, tables, spec.source))
    if errors:
        raise DomainError(errors)

    converted: list[Converted] = []
    for i, table in enumerate(tables):
        report("check", i, len(tables))
        converted.append(convert(table, spec, until, max_errors=MAX_ERRORS))
    report("check", len(tables), len(tables))
    bad_items = [item for c in converted for item in c.errors][:MAX_ERRORS]
    bad_total = sum(c.bad_rows for c in converted)
    if bad_total and not skip_bad:
        if bad_total > len(bad_items):
            bad_items.append(
                ErrorItem(
                    "too_many_errors",
                    f"{bad_total} bad rows in all; the first {len(bad_items)} are listed",
                )
            )
        raise DomainError(bad_items)

    lines = pl.concat([c.lines for c in converted], how="vertical")
    batch = SalesImportBatch(
        source=spec.source,
        mapping=spec.name,
        until=until,
        actor=actor[:254],
        started_at=utcnow(),
    )
    session.add(batch)
    session.flush()
    lines, created, matched = _link_skus(session, lines, spec.source)
    method = writing.write_lines(
        session,
        lines.with_columns(pl.lit(batch.id).alias("batch_id"), pl.lit(spec.source).alias("source")),
        progress=lambda done, total: report("write", done, total),
    )
    for table, conv in zip(tables, converted, strict=True):
        session.add(
            SalesImportFile(
                batch_id=batch.id,
                source=spec.source,
                name=table.name[:500],
                sha256=table.sha256,
                rows=conv.lines.height,
            )
        )
    counts = lines.select(
        pl.col("is_return").sum().alias("returns"),
        pl.col("is_cancellation").sum().alias("cancellations"),
        pl.col("is_non_product").sum().alias("non_product"),
    ).row(0, named=True)
    batch.rows_read = sum(c.rows_read for c in converted)
    batch.rows_imported = lines.height
    batch.rows_skipped_until = sum(c.skipped_until for c in converted)
    batch.rows_skipped_bad = bad_total
    batch.returns = int(counts["returns"] or 0)
    batch.cancellations = int(counts["cancellations"] or 0)
    batch.skus_created = created
    batch.finished_at = utcnow()
    session.flush()
    return SalesImportReport(
        batch_id=batch.id,
        source=spec.source,
        mapping=spec.name,
        files=[
            FileSummary(t.name, c.rows_read, c.lines.height, c.skipped_until, c.bad_rows)
            for t, c in zip(tables, converted, strict=True)
        ],
        rows_read=batch.rows_read,
        rows_imported=batch.rows_imported,
        skipped_until=batch.rows_skipped_until,
        skipped_bad=bad_total,
        returns=batch.returns,
        cancellations=batch.cancellations,
        non_product=int(counts["non_product"] or 0),
        skus_created=created,
        skus_matched=matched,
        write_method=method,
        seconds=round(time.perf_counter() - started, 3),
        skipped=bad_items if skip_bad else [],
    )


def parse_until(text: str) -> date:
    """``YYYY-MM-DD`` for ``--until`` (a DomainError otherwise)."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise DomainError(
            ErrorItem("invalid_until", f"--until {text!r} is not a date YYYY-MM-DD")
        ) from exc
