"""Audit log use cases: recording a change, and reading the log back.

``record`` is what other packages' services call, in the same unit of work as the
change, so a rolled-back change leaves no entry and a committed one always has one.
Never commits: the caller's unit of work does.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.audit.models import AuditEntry
from microbag.audit.policies import actor_text, changes, check_name
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
