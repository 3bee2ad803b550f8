"""HTTP API of notifications: each user's mail preferences; the outbox for staff (read by
all staff; a failed message is queued again by an admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from microbag.accounts.principal import Principal
from microbag.http import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    CurrentPrincipal,
    IdPath,
    Paging,
    ReadSession,
    WriteSession,
    require_staff,
)
from microbag.notifications import policies, service
from microbag.notifications.models import MailMessage
from microbag.notifications.schemas import (
    MailMessageDetailOut,
    MailMessageOut,
    MailStatus,
    PreferencesIn,
    PreferencesOut,
)
from microbag.paging import Page

router = APIRouter(tags=["notifications"])

StaffReader = Annotated[Principal, Depends(require_staff())]
Admin = Annotated[Principal, Depends(require_staff("admin"))]


def _preferences_out(kinds: dict[str, bool]) -> PreferencesOut:
    return PreferencesOut(kinds=kinds, labels=dict(policies.KIND_LABELS))


@router.get("/me/notification-preferences", response_model=PreferencesOut, responses=READ_RESPONSES)
def get_preferences(principal: CurrentPrincipal, session: ReadSession) -> PreferencesOut:
    """Which e-mails you receive (every kind is on until you turn it off)."""
    return _preferences_out(service.preferences(session, principal.user_id))


@router.put(
    "/me/notification-preferences", response_model=PreferencesOut, responses=WRITE_RESPONSES
)
def put_preferences(
    body: PreferencesIn, principal: CurrentPrincipal, session: WriteSession
) -> PreferencesOut:
    """Turn kinds of e-mail on or off (``unknown_notification_kind`` for a kind that does
    not exist)."""
    return _preferences_out(service.set_preferences(session, principal.user_id, body.kinds))


def _out(message: MailMessage) -> MailMessageOut:
    return MailMessageOut.model_validate(message, from_attributes=True)


@router.get("/mail", response_model=Page[MailMessageOut], responses=READ_RESPONSES)
def list_mail(
    staff: StaffReader,
    session: ReadSession,
    paging: Paging,
    status: Annotated[MailStatus | None, Query()] = None,
    reference: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[MailMessageOut]:
    """The mail outbox, newest first."""
    rows, total = service.list_messages(
        session,
        staff,
        status=status,
        reference=reference,
        limit=paging.page_size,
        offset=paging.offset,
    )
    return Page(
        items=[_out(m) for m in rows], page=paging.page, page_size=paging.page_size, total=total
    )


@router.get("/mail/{message_id}", response_model=MailMessageDetailOut, responses=READ_RESPONSES)
def get_mail(staff: StaffReader, session: ReadSession, message_id: IdPath) -> MailMessageDetailOut:
    message = service.get_message(session, staff, message_id)
    return MailMessageDetailOut.model_validate(message, from_attributes=True)


@router.post("/mail/{message_id}/retry", response_model=MailMessageOut, responses=WRITE_RESPONSES)
def retry_mail(admin: Admin, session: WriteSession, message_id: IdPath) -> MailMessageOut:
    """Queue a failed message again (409 ``not_failed`` otherwise)."""
    return _out(service.retry_message(session, admin, message_id))
