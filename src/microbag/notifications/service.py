"""Notification use cases: queue mail for a change, the users' preferences, the outbox.

``notify_company`` is what other packages call, in the same unit of work as the change
it reports: the message is queued (an outbox row), never sent inline, so a rolled-back
change sends nothing and a mail server that is down loses nothing. ``microbag worker``
delivers the queue (notifications.delivery). Services never commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from microbag.accounts.models import User
from microbag.accounts.principal import Principal
from microbag.config import get_settings
from microbag.errors import DomainError, ErrorItem, Forbidden, NotFound
from microbag.notifications import policies
from microbag.notifications.models import MailMessage, NotificationOptOut
from microbag.notifications.rendering import render
from microbag.timeutil import utcnow

# The kinds of message and the context keys their callers pass (all values plain: str,
# int, or lists of dicts of those). Every kind names the order, quote or drop it is about.
#   order_confirmed: order_id, order_number, total (formatted money), lines [{sku, quantity}]
#                    (optional: po_number)
#   order_shipped:   order_id, order_number, shipment_id, carrier, tracking_number,
#                    tracking_url (may be ""), lines [{sku, quantity}]
#   quote_answered:  quote_id, quote_number, status, message (may be "")
#   drop_allocated:  drop_id, drop_name, order_id (0 if nothing allocated), order_number
#                    ("" if none), lines [{sku, requested, allocated}]
KINDS = policies.KINDS
_REFERENCE_KEYS = (("order_id", "order"), ("quote_id", "quote"), ("drop_id", "drop"))
MAX_LIST = 200


def _reference(context: Mapping[str, object]) -> str:
    for key, prefix in _REFERENCE_KEYS:
        value = context.get(key)
        if value:
            return f"{prefix}:{value}"
    return ""


def notify_company(
    session: Session,
    *,
    company_id: int,
    kind: str,
    context: Mapping[str, object],
) -> None:
    """Queue ``kind`` for the company's active users who have not turned it off.

    Runs in the caller's transaction and never commits; nothing is sent here.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    users = session.execute(
        select(User.id, User.email, User.name).where(
            User.company_id == company_id, User.is_active.is_(True)
        )
    ).all()
    if not users:
        return
    opted_out = set(
        session.scalars(
            select(NotificationOptOut.user_id).where(
                NotificationOptOut.kind == kind,
                NotificationOptOut.user_id.in_([u.id for u in users]),
            )
        )
    )
    seller = get_settings().seller_name
    reference = _reference(context)
    for user_id, email, name in users:
        if user_id in opted_out:
            continue
        rendered = render(kind, {**context, "user_name": name, "seller": seller})
        session.add(
            MailMessage(
                kind=kind,
                company_id=company_id,
                user_id=user_id,
                to_address=email,
                subject=rendered.subject,
                text_body=rendered.text,
                html_body=rendered.html,
                reference=reference,
                status=policies.QUEUED,
                next_attempt_at=utcnow(),
            )
        )
    session.flush()


def queue_test_message(session: Session, to_address: str) -> MailMessage:
    """A test message to any address (``microbag mail send-test``)."""
    if "@" not in to_address or len(to_address) > 254:
        raise DomainError(ErrorItem("invalid_email", "give an e-mail address", field="to"))
    rendered = render(policies.TEST_KIND, {"seller": get_settings().seller_name})
    message = MailMessage(
        kind=policies.TEST_KIND,
        to_address=to_address,
        subject=rendered.subject,
        text_body=rendered.text,
        html_body=rendered.html,
        reference="test",
        status=policies.QUEUED,
        next_attempt_at=utcnow(),
    )
    session.add(message)
    session.flush()
    return message


# ---- preferences -------------------------------------------------------------------------------


def preferences(session: Session, user_id: int) -> dict[str, bool]:
    """kind -> on/off for one user (every kind is on until turned off)."""
    off = frozenset(
        session.scalars(
            select(NotificationOptOut.kind).where(NotificationOptOut.user_id == user_id)
        )
    )
    return {kind: policies.wants(kind, off) for kind in KINDS}


def set_preferences(session: Session, user_id: int, wanted: Mapping[str, bool]) -> dict[str, bool]:
    """Turn kinds on or off; kinds not named keep their setting."""
    unknown = sorted(set(wanted) - set(KINDS))
    if unknown:
        raise DomainError(
            [
                ErrorItem(
                    "unknown_notification_kind",
                    f"{kind!r} is not a kind of message (one of: {', '.join(KINDS)})",
                    field=kind,
                )
                for kind in unknown
            ]
        )
    for kind, on in wanted.items():
        session.execute(
            delete(NotificationOptOut).where(
                NotificationOptOut.user_id == user_id, NotificationOptOut.kind == kind
            )
        )
        if not on:
            session.add(NotificationOptOut(user_id=user_id, kind=kind))
    session.flush()
    return preferences(session, user_id)


# ---- the outbox (staff) ------------------------------------------------------------------------


def _require_staff(principal: Principal) -> None:
    if principal.company_id is not None:
        raise Forbidden("only the seller's staff see the mail outbox")


def list_messages(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    reference: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[MailMessage], int]:
    _require_staff(principal)
    if status is not None and status not in policies.STATUSES:
        raise DomainError(
            ErrorItem(
                "invalid_status",
                f"status must be one of: {', '.join(policies.STATUSES)}",
                field="status",
            )
        )
    stmt = select(MailMessage)
    if status:
        stmt = stmt.where(MailMessage.status == status)
    if reference:
        stmt = stmt.where(MailMessage.reference == reference)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(MailMessage.id.desc()).limit(min(limit, MAX_LIST)).offset(offset)
    ).all()
    return rows, total


def get_message(session: Session, principal: Principal, message_id: int) -> MailMessage:
    _require_staff(principal)
    message = session.get(MailMessage, message_id)
    if message is None:
        raise NotFound("message")
    return message


def retry_message(session: Session, principal: Principal, message_id: int) -> MailMessage:
    """Queue a failed message again, with its tries counted afresh."""
    message = get_message(session, principal, message_id)
    if message.status != policies.FAILED:
        raise DomainError(
            ErrorItem(
                "not_failed", f"the message is {message.status}; only failed ones are retried"
            ),
            409,
        )
    message.status = policies.QUEUED
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_by = None
    message.claimed_until = None
    session.flush()
    return message
