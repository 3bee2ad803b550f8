"""The audit log as a spreadsheet (CSV or XLSX): one row per changed field.

A row per field (not per entry) lets a spreadsheet filter on "credit_limit_minor" or
sort by a price; an entry that names no field (an action alone) is one row with the
field empty. Values are written as the log shows them (policies.show); cells that a
spreadsheet would run as formulas are escaped (catalog.tabular).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.audit import service
from microbag.audit.models import AuditEntry
from microbag.audit.policies import field_changes
from microbag.audit.schemas import AuditFilters
from microbag.catalog.tabular import write_csv, write_xlsx
from microbag.timeutil import utcnow

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Add new columns at the END only (files already read by others' spreadsheets).
COLUMNS = (
    "entry_id",
    "at",
    "actor",
    "actor_user_id",
    "entity",
    "entity_id",
    "action",
    "company_id",
    "field",
    "before",
    "after",
)


def filename(format: str) -> str:
    """The download's name: the log and when it was taken (UTC), e.g. audit-20261205-2230.csv."""
    return f"audit-{utcnow():%Y%m%d-%H%M}.{format}"


def export_rows(entries: Iterable[AuditEntry]) -> Iterator[list[Any]]:
    for entry in entries:
        head = [
            entry.id,
            entry.at.isoformat(),
            entry.actor_label,
            entry.actor_user_id,
            entry.entity,
            entry.entity_id,
            entry.action,
            entry.company_id,
        ]
        changes = field_changes(entry.before or {}, entry.after or {})
        if not changes:
            yield [*head, "", "", ""]
        for change in changes:
            yield [*head, change.field, change.before, change.after]


def export(
    session: Session,
    filters: AuditFilters,
    format: str = "csv",
    *,
    viewer: Principal | None = None,
) -> tuple[bytes, int]:
    """The filtered entries as a file's bytes, and the number of rows written."""
    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r}")
    rows = export_rows(service.iter_entries(session, filters, viewer=viewer))
    if format == "xlsx":
        binary = io.BytesIO()
        count = write_xlsx(binary, COLUMNS, rows, "Audit log")
        return binary.getvalue(), count
    text = io.StringIO()
    count = write_csv(text, COLUMNS, rows)
    return text.getvalue().encode("utf-8"), count
