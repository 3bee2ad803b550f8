"""Catalog import from CSV or XLSX: every row checked, then all rows written or none.

Flow: read the sheet -> check the header (missing or unknown columns are reported
once, on row 1) -> parse every row (catalog/rows.py) -> cross-row checks (duplicate
SKUs, rows of one style that disagree) -> checks against the database (a SKU that
belongs to another style, lifecycle moves) -> if there is any error, raise one
DomainError listing them all (nothing was written); else write in bulk.

Existing styles and SKUs (matched by code) are updated; new ones are created. A
dry run does every check and reports what would happen, writing nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.audit import service as audit
from microbag.catalog import policies
from microbag.catalog.models import Sku, Style, StyleOccasion
from microbag.catalog.rows import ParsedRow, header_errors, parse_row, style_differences
from microbag.catalog.tabular import iter_chunks, read_sheet
from microbag.errors import DomainError, ErrorItem
from microbag.timeutil import utcnow

# Progress callback: (stage, done, total); stages "validate" and "write".
Progress = Callable[[str, int, int], None]
MAX_ROWS = 200_000
# At most this many errors are reported (the first ones, in row order).
MAX_ERRORS = 1000
_IN_CHUNK = 500
# Optional columns -> the style fields they set.
OPTIONAL_STYLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "description": ("description",),
    "lining": ("lining",),
    "weight_g": ("weight_g",),
    "images": ("images",),
    "occasions": ("occasions",),
    "limited_edition": ("is_limited_edition",),
    "drop_date": ("drop_date",),
    "edition_size": ("edition_size",),
}
_WRITE_CHUNK = 2000
ANALYZE_AFTER_ROWS = 10_000


@dataclass
class ImportReport:
    format: str
    rows: int
    styles_created: int
    styles_updated: int
    skus_created: int
    skus_updated: int
    dry_run: bool
    applied: bool


def _noop(_stage: str, _done: int, _total: int) -> None:
    return None


def import_catalog(
    session: Session,
    data: bytes,
    filename: str | None = None,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    actor: Principal | None = None,
    actor_label: str = "",
) -> ImportReport:
    """Check every row; write all of them (unless ``dry_run``) or raise with every error.

    An applied import is one audit-log entry with its counts (not one per row: a file
    of 50 000 rows would bury every other change)."""
    report = progress or _noop
    sheet = read_sheet(data, filename, MAX_ROWS)
    positions, errors = header_errors(sheet.header)
    if errors:
        raise DomainError(errors)
    if not sheet.rows:
        raise DomainError(ErrorItem("no_rows", "the file has a header but no rows", 1))
    total = len(sheet.rows)
    parsed: list[ParsedRow] = []
    for i, (line, cells) in enumerate(sheet.rows, start=1):
        row = parse_row(line, cells, positions)
        errors.extend(row.errors)
        parsed.append(row)
        if i % 5000 == 0:
            report("validate", i, total)
    errors.extend(_cross_row_errors(parsed))
    plan = _Plan(session, parsed, set(positions))
    errors.extend(plan.errors)
    report("validate", total, total)
    if errors:
        errors.sort(key=lambda e: e.line or 0)
        if len(errors) > MAX_ERRORS:
            extra = len(errors) - MAX_ERRORS
            errors = [
                *errors[:MAX_ERRORS],
                ErrorItem("too_many_errors", f"... and {extra} more errors", None),
            ]
        raise DomainError(errors)
    result = ImportReport(
        format=sheet.format,
        rows=total,
        styles_created=len(plan.new_styles),
        styles_updated=len(plan.existing_styles),
        skus_created=sum(1 for r in parsed if r.sku["code"] not in plan.existing_skus),
        skus_updated=sum(1 for r in parsed if r.sku["code"] in plan.existing_skus),
        dry_run=dry_run,
        applied=False,
    )
    if not dry_run:
        plan.apply(report)
        result.applied = True
        audit.record(
            session,
            actor,
            entity="catalog_import",
            entity_id=(filename or "upload")[-64:],
            action="imported",
            before=None,
            after={
                "rows": total,
                "styles_created": result.styles_created,
                "styles_updated": result.styles_updated,
                "skus_created": result.skus_created,
                "skus_updated": result.skus_updated,
            },
            actor_label=actor_label,
        )
    return result


def _cross_row_errors(rows: list[ParsedRow]) -> list[ErrorItem]:
    errors: list[ErrorItem] = []
    first_sku: dict[str, int] = {}
    first_style: dict[str, ParsedRow] = {}
    for row in rows:
        code = row.sku["code"]
        if code:
            if code in first_sku:
                errors.append(
                    ErrorItem(
                        "duplicate_sku",
                        f"row {row.line}: SKU {code} already appears on row {first_sku[code]}",
                        row.line,
                        "sku",
                    )
                )
            else:
                first_sku[code] = row.line
        style_code = row.style["code"]
        if not style_code:
            continue
        first = first_style.setdefault(style_code, row)
        if first is not row and not row.errors and not first.errors:
            differing = style_differences(first.style, row.style)
            if differing:
                errors.append(
                    ErrorItem(
                        "style_mismatch",
                        f"row {row.line}: style {style_code} has other "
                        f"{', '.join(differing)} than on row {first.line}",
                        row.line,
                        differing[0],
                    )
                )
    return errors


class _Plan:
    """What the file would change, with the checks that need the database."""

    def __init__(self, session: Session, rows: list[ParsedRow], columns: set[str]) -> None:
        self.session = session
        self.rows = rows
        # Optional columns absent from the file leave existing styles' values alone.
        self.kept_fields = {
            f
            for column, fields in OPTIONAL_STYLE_COLUMNS.items()
            if column not in columns
            for f in fields
        }
        self.keep_retail_price = "retail_price" not in columns and "currency" not in columns
        self.errors: list[ErrorItem] = []
        # One entry per style code: the first row that names it.
        self.styles: dict[str, ParsedRow] = {}
        for row in rows:
            if row.style["code"]:
                self.styles.setdefault(row.style["code"], row)
        self.existing_styles = self._load_styles(list(self.styles))
        self.new_styles = [c for c in self.styles if c not in self.existing_styles]
        self.existing_skus = self._load_skus([r.sku["code"] for r in rows if r.sku["code"]])
        self._check_against_database()

    def _load_styles(self, codes: Sequence[str]) -> dict[str, tuple[int, str]]:
        found: dict[str, tuple[int, str]] = {}
        for chunk in iter_chunks(codes, _IN_CHUNK):
            for sid, code, lifecycle in self.session.execute(
                select(Style.id, Style.code, Style.lifecycle).where(Style.code.in_(chunk))
            ):
                found[code] = (sid, lifecycle)
        return found

    def _load_skus(self, codes: Sequence[str]) -> dict[str, tuple[int, int, str, str]]:
        found: dict[str, tuple[int, int, str, str]] = {}
        for chunk in iter_chunks(codes, _IN_CHUNK):
            for sku_id, code, style_id, lifecycle, style_code in self.session.execute(
                select(Sku.id, Sku.code, Sku.style_id, Sku.lifecycle, Style.code)
                .join(Style, Style.id == Sku.style_id)
                .where(Sku.code.in_(chunk))
            ):
                found[code] = (sku_id, style_id, lifecycle, style_code)
        return found

    def _error(self, row: ParsedRow, code: str, column: str, message: str) -> None:
        self.errors.append(ErrorItem(code, f"row {row.line}: {message}", row.line, column))

    def _check_against_database(self) -> None:
        for code, row in self.styles.items():
            existing = self.existing_styles.get(code)
            target = row.style["lifecycle"]
            if existing and target:
                error = policies.lifecycle_error(existing[1], target)
                if error is not None:
                    self._error(row, error.code, "style_lifecycle", error.message)
        for row in self.rows:
            sku = self.existing_skus.get(row.sku["code"])
            if sku is None:
                continue
            if sku[3] != row.style["code"]:
                self._error(
                    row,
                    "sku_of_other_style",
                    "style_code",
                    f"SKU {row.sku['code']} belongs to style {sku[3]}, not {row.style['code']}",
                )
            target = row.sku["lifecycle"]
            if target:
                error = policies.lifecycle_error(sku[2], target, "SKU")
                if error is not None:
                    self._error(row, error.code, "sku_lifecycle", error.message)

    # ---- writing ---------------------------------------------------------------------------

    def _style_values(self, row: ParsedRow) -> dict[str, Any]:
        values = {k: v for k, v in row.style.items() if k not in ("occasions", "lifecycle")}
        dims = (values["width_mm"], values["height_mm"], values["depth_mm"])
        values["size_class"] = policies.size_class(*dims)
        suggested, phone_max = policies.suggest_holds(*dims)
        if not row.holds_given:
            values["holds"] = suggested
        if not row.phone_given:
            values["phone_max_mm"] = phone_max if "phone" in values["holds"] else None
        values["updated_at"] = utcnow()
        return values

    def apply(self, report: Progress) -> None:
        session = self.session
        now = utcnow()
        total = len(self.rows) + len(self.styles)
        done = 0
        style_ids: dict[str, int] = {c: v[0] for c, v in self.existing_styles.items()}
        style_lifecycles: dict[str, str] = {c: v[1] for c, v in self.existing_styles.items()}
        for chunk in iter_chunks(self.new_styles, _WRITE_CHUNK):
            rows = []
            for code in chunk:
                parsed = self.styles[code]
                lifecycle = parsed.style["lifecycle"] or "draft"
                style_lifecycles[code] = lifecycle
                rows.append(
                    self._style_values(parsed) | {"lifecycle": lifecycle, "created_at": now}
                )
            for sid, code in session.execute(insert(Style).returning(Style.id, Style.code), rows):
                style_ids[code] = sid
            done += len(chunk)
            report("write", done, total)
        updates = []
        for code in self.existing_styles:
            parsed = self.styles[code]
            values = self._style_values(parsed) | {"id": style_ids[code]}
            for kept in self.kept_fields:
                values.pop(kept, None)
            if parsed.style["lifecycle"]:
                values["lifecycle"] = style_lifecycles[code] = parsed.style["lifecycle"]
            updates.append(values)
        for chunk in iter_chunks(updates, _WRITE_CHUNK):
            session.execute(update(Style), list(chunk))
            done += len(chunk)
            report("write", done, total)
        # Occasions: replace them for every style in the file (new ones: just add).
        ids = [style_ids[c] for c in self.existing_styles if "occasions" not in self.kept_fields]
        for id_chunk in iter_chunks(ids, _IN_CHUNK):
            session.execute(delete(StyleOccasion).where(StyleOccasion.style_id.in_(id_chunk)))
        occasions = [
            {"style_id": style_ids[c], "occasion": o}
            for c, row in self.styles.items()
            if c not in self.existing_styles or "occasions" not in self.kept_fields
            for o in row.style["occasions"]
        ]
        for occ_chunk in iter_chunks(occasions, _WRITE_CHUNK):
            session.execute(insert(StyleOccasion), list(occ_chunk))
        self._write_skus(style_ids, style_lifecycles, now, report, done, total)
        self._refresh_other_skus(style_ids)
        if len(self.rows) >= ANALYZE_AFTER_ROWS:
            # Fresh statistics for the planner after a bulk change.
            for table in ("styles", "skus", "style_occasions"):
                session.execute(text(f"ANALYZE {table}"))
        session.expire_all()

    def _write_skus(
        self,
        style_ids: dict[str, int],
        style_lifecycles: dict[str, str],
        now: Any,
        report: Progress,
        done: int,
        total: int,
    ) -> None:
        new_rows: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for row in self.rows:
            style = row.style
            sku = row.sku
            values: dict[str, Any] = {
                "code": sku["code"],
                "style_id": style_ids[style["code"]],
                "color": sku["color"],
                "material": sku["material"],
                "hardware": sku["hardware"],
                "search_text": policies.search_text(
                    sku["code"],
                    style["code"],
                    style["name"],
                    style["bag_type"],
                    sku["color"],
                    sku["material"],
                    sku["hardware"],
                ),
            }
            existing = self.existing_skus.get(sku["code"])
            if existing is None:
                default = "active" if style_lifecycles[style["code"]] == "active" else "draft"
                values["lifecycle"] = sku["lifecycle"] or default
                values["attributes"] = _attributes({}, sku["retail_price"])
                values["created_at"] = now
                values["is_imported"] = False
                new_rows.append(values)
            else:
                values["id"] = existing[0]
                if sku["lifecycle"]:
                    values["lifecycle"] = sku["lifecycle"]
                changed.append(values)
        current_attrs = self._current_attributes([v["id"] for v in changed])
        by_code = {r.sku["code"]: r for r in self.rows}
        for values in changed:
            if self.keep_retail_price:
                continue
            values["attributes"] = _attributes(
                current_attrs.get(values["id"], {}), by_code[values["code"]].sku["retail_price"]
            )
        for chunk in iter_chunks(new_rows, _WRITE_CHUNK):
            self.session.execute(insert(Sku), list(chunk))
            done += len(chunk)
            report("write", done, total)
        for chunk in iter_chunks(changed, _WRITE_CHUNK):
            self.session.execute(update(Sku), list(chunk))
            done += len(chunk)
            report("write", done, total)

    def _current_attributes(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        found: dict[int, dict[str, Any]] = {}
        for chunk in iter_chunks(ids, _IN_CHUNK):
            for sku_id, attrs in self.session.execute(
                select(Sku.id, Sku.attributes).where(Sku.id.in_(chunk))
            ):
                found[sku_id] = dict(attrs or {})
        return found

    def _refresh_other_skus(self, style_ids: dict[str, int]) -> None:
        """SKUs of updated styles that the file did not list get the new search text."""
        listed = {r.sku["code"] for r in self.rows}
        existing_ids = [style_ids[c] for c in self.existing_styles]
        updates = []
        for chunk in iter_chunks(existing_ids, _IN_CHUNK):
            for (
                sku_id,
                code,
                color,
                material,
                hardware,
                s_code,
                s_name,
                s_type,
            ) in self.session.execute(
                select(
                    Sku.id,
                    Sku.code,
                    Sku.color,
                    Sku.material,
                    Sku.hardware,
                    Style.code,
                    Style.name,
                    Style.bag_type,
                )
                .join(Style, Style.id == Sku.style_id)
                .where(Sku.style_id.in_(chunk))
            ):
                if code not in listed:
                    text = policies.search_text(
                        code, s_code, s_name, s_type, color, material, hardware
                    )
                    updates.append({"id": sku_id, "search_text": text})
        for upd_chunk in iter_chunks(updates, _WRITE_CHUNK):
            self.session.execute(update(Sku), list(upd_chunk))


def _attributes(current: dict[str, Any], retail_price: dict[str, Any] | None) -> dict[str, Any]:
    attrs = dict(current)
    if retail_price is None:
        attrs.pop("retail_price", None)
    else:
        attrs["retail_price"] = retail_price
    return attrs
