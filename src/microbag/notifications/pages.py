"""Portal page of notifications: which e-mails the signed-in user receives
(``/account/notifications``; buyers and staff alike)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from microbag.notifications import policies, service
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, SignedIn
from microbag.web.render import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])


@router.get("/account/notifications")
def preferences_page(request: Request, user: SignedIn, db: PortalDb) -> Response:
    with db.session() as session:
        kinds = service.preferences(session, user.principal.user_id)
    saved = request.query_params.get("saved") == "1"
    return render(
        request,
        "account/notifications.html",
        {
            "title": "E-mail notifications",
            "kinds": kinds,
            "labels": policies.KIND_LABELS,
            "saved": saved,
        },
    )


@router.post("/account/notifications")
async def save_preferences(request: Request, user: SignedIn, db: PortalDb) -> Response:
    form = await request.form()
    wanted = {kind: form.get(kind) == "on" for kind in policies.KINDS}
    with db.session(write=True) as session:
        service.set_preferences(session, user.principal.user_id, wanted)
    return RedirectResponse("/account/notifications?saved=1", status_code=303)
