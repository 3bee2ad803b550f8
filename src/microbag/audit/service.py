"""Audit log use cases: recording a change, and reading the log back.

``record`` is what other packages' services call, in the same unit of work as the
change, so a rolled-back change leaves no entry and a committed one always has one.
Never commits: the caller's unit of work does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.audit.models import AuditEntry
from microbag.audit.policies import actor_text, changes, check_name, day_start, hidden_entities
from microbag.audit.schemas import AuditEntryOut, AuditFilters
from microbag.timeutil import utcnow

# Actions whose entry is worth keeping even when no field changed (an override,
# a payment mark); a plain "updated" that changed nothing leaves no entry.
_QUIET_WHEN_UNCHANGED = frozenset({"updated"})


def record(
    session: Session,
    actor: Principal | None,
    *,
    entity: str,
    entity_id: str,
    action: str,
    before: Mapping[str, object] | None,
    after: Mapping[str, object] | None,
    company_id: int | None = None,
    actor_label: str = "",
) -> None:
    """Add one entry: ``entity`` (e.g. "price_list_item", "company", "stock_level",
    "sku", "user", "order"), its id as text, ``action`` (created, updated, deleted,
    or a verb such as "override"), and the changed fields before and after (plain JSON
    values; only the fields that changed). ``actor`` None means the system or the CLI
    (then ``actor_label`` says who, e.g. "cli").

    Callers may pass every field of the object on both sides: only the changed ones
    are stored, secrets redacted (``policies.changes``). An "updated" that changed
    nothing is not recorded."""
    diff = changes(before, after)
    if diff.empty and action in _QUIET_WHEN_UNCHANGED:
        return
    session.add(
        AuditEntry(
            at=utcnow(),
            actor_user_id=actor.user_id if actor is not None else None,
            actor_label=actor_text(actor.email if actor is not None else None, actor_label),
            entity=check_name("entity", entity),
            entity_id=str(entity_id)[:64],
            action=check_name("action", action),
            company_id=company_id,
            before=diff.before,
            after=diff.after,
        )
    )


# ---- reading the log ---------------------------------------------------------------------------

# An export is capped so one request cannot stream the whole history into memory.
MAX_EXPORT_ENTRIES = 100_000


def _conditions(filters: AuditFilters, viewer: Principal | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    hidden = hidden_entities(viewer.role if viewer is not None else None)
    if hidden:
        conditions.append(AuditEntry.entity.not_in(sorted(hidden)))
    if filters.entity:
        conditions.append(AuditEntry.entity == filters.entity)
    if filters.entity_id:
        conditions.append(AuditEntry.entity_id == filters.entity_id)
    if filters.action:
        conditions.append(AuditEntry.action == filters.action)
    if filters.company_id is not None:
        conditions.append(AuditEntry.company_id == filters.company_id)
    if filters.actor:
        needle = filters.actor.strip().lower()
        conditions.append(func.lower(AuditEntry.actor_label).contains(needle, autoescape=True))
    if filters.since:
        conditions.append(AuditEntry.at >= day_start(filters.since))
    if filters.until:
        conditions.append(AuditEntry.at < day_start(filters.until + timedelta(days=1)))
    return conditions


def list_entries(
    session: Session,
    filters: AuditFilters,
    *,
    viewer: Principal | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AuditEntry], int]:
    """One page of entries, newest first, and how many match. ``viewer`` None: the CLI
    (sees everything); staff other than admins do not see entries about users."""
    conditions = _conditions(filters, viewer)
    total = session.scalar(select(func.count(AuditEntry.id)).where(*conditions)) or 0
    rows = session.scalars(
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total)


def iter_entries(
    session: Session,
    filters: AuditFilters,
    *,
    viewer: Principal | None = None,
    limit: int = MAX_EXPORT_ENTRIES,
) -> Iterator[AuditEntry]:
    """Every matching entry, newest first (at most ``limit``), read in batches."""
    stmt = (
        select(AuditEntry)
        .where(*_conditions(filters, viewer))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .execution_options(yield_per=1000)
    )
    yield from session.scalars(stmt)


def entry_out(entry: AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(
        id=entry.id,
        at=entry.at,
        actor_user_id=entry.actor_user_id,
        actor=entry.actor_label,
        entity=entry.entity,
        entity_id=entry.entity_id,
        action=entry.action,
        company_id=entry.company_id,
        before=entry.before or {},
        after=entry.after or {},
    )


def known_names(session: Session) -> tuple[list[str], list[str]]:
    """The entities and actions that occur in the log (for the staff page's selects)."""
    entities = session.scalars(select(AuditEntry.entity).distinct().order_by(AuditEntry.entity))
    actions = session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    return list(entities), list(actions)
