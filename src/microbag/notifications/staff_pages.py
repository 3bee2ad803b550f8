"""Staff page of notifications: the mail outbox (``/staff/mail``) with status filters, a
message's text and HTML, and queueing a failed message again (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from microbag.notifications import policies, service
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PageForbidden, PortalDb, StaffUser
from microbag.web.staff import PageNo, pager, staff_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
PAGE_SIZE = 50
MessageId = Annotated[int, Path(ge=1, le=2_147_483_647)]


@router.get("/staff/mail")
def outbox_page(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    status: Annotated[str, Query(max_length=16)] = "",
    page: PageNo = 1,
) -> Response:
    chosen = status if status in policies.STATUSES else None
    with db.session() as session:
        rows, total = service.list_messages(
            session,
            user.principal,
            status=chosen,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    return staff_page(
        request,
        user,
        "staff/mail.html",
        {
            "title": "Mail",
            "messages": rows,
            "status": chosen or "",
            "statuses": policies.STATUSES,
            "pager": pager("/staff/mail", {"status": chosen}, page, total, PAGE_SIZE),
        },
        section="mail",
    )


@router.get("/staff/mail/{message_id}")
def message_page(
    request: Request, message_id: MessageId, user: StaffUser, db: PortalDb
) -> Response:
    with db.session() as session:
        message = service.get_message(session, user.principal, message_id)
    return staff_page(
        request,
        user,
        "staff/mail_message.html",
        {"title": f"Mail {message.id}", "message": message},
        section="mail",
    )


@router.post("/staff/mail/{message_id}/retry")
def retry(message_id: MessageId, user: StaffUser, db: PortalDb) -> Response:
    if user.principal.role != "admin":
        raise PageForbidden("only an admin queues a failed message again")
    with db.session(write=True) as session:
        service.retry_message(session, user.principal, message_id)
    return RedirectResponse(f"/staff/mail/{message_id}", status_code=303)
