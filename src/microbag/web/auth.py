"""Sign-in and sign-out pages.

The sign-in form posts fields named exactly ``email`` and ``password`` (a stable
contract: tools outside the repo use it) plus ``csrf_token`` and ``next``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from microbag.accounts.service import authenticate_password
from microbag.web import throttle
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, safe_next
from microbag.web.render import render
from microbag.web.sessions import (
    clear_session_cookie,
    cookie_name,
    end_session,
    purge_expired,
    set_session_cookie,
    start_session,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

# Long enough for any real password; caps the hashing work an attacker can ask for.
MAX_PASSWORD_CHARS = 1024


def landing_for(is_staff: bool) -> str:
    return "/staff" if is_staff else "/catalog"


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/")
def home(request: Request) -> Response:
    user = getattr(request.state, "portal_user", None)
    target = landing_for(user.is_staff) if user else "/login"
    return RedirectResponse(target, status_code=303)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    user = getattr(request.state, "portal_user", None)
    if user is not None:
        return RedirectResponse(safe_next(next, landing_for(user.is_staff)), status_code=303)
    return render(request, "login.html", {"next": safe_next(next, ""), "email": ""})


@router.post("/login")
def login(
    request: Request,
    db: PortalDb,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=MAX_PASSWORD_CHARS)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    email = email.strip()
    ip = client_ip(request)
    context = {"next": safe_next(next, ""), "email": email}
    filled_in = bool(email and password)
    with db.session(write=filled_in) as session:
        # A real attempt is counted (as a failure until proven otherwise) and committed
        # before its password is checked: parallel attempts cannot outrun the limit.
        if filled_in:
            blocked = throttle.count_attempt(session, email, ip)
        else:
            blocked = throttle.check(session, email, ip)
    if blocked is not None:
        minutes = max(1, round(blocked.retry_after_s / 60))
        return render(
            request,
            "login.html",
            context
            | {
                "error": "Too many failed sign-in attempts. "
                f"Please wait about {minutes} minute{'s' if minutes != 1 else ''} and try again."
            },
            status_code=429,
            headers={"Retry-After": str(blocked.retry_after_s)},
        )
    if not filled_in:
        return render(
            request,
            "login.html",
            context | {"error": "Enter your e-mail address and password."},
            status_code=422,
        )
    with db.session() as session:
        user = authenticate_password(session, email, password)
        user_id = user.id if user else None
        is_staff = bool(user and user.is_staff)
        company_ok = user is None or user.company is None or user.company.is_active
    if user_id is None or not company_ok:
        return render(
            request,
            "login.html",
            context | {"error": "The e-mail address or password is not right."},
            status_code=401,
        )
    with db.session(write=True) as session:
        throttle.clear_failures(session, email)
        # A new session id at every sign-in: a planted cookie is never promoted.
        end_session(session, request.cookies.get(cookie_name(request)))
        # Abandoned sessions are swept here (the expiry is indexed), not by a timer.
        purge_expired(session)
        raw = start_session(session, user_id)
    response = RedirectResponse(safe_next(next, landing_for(is_staff)), status_code=303)
    set_session_cookie(response, request, raw)
    return response


@router.post("/logout")
def logout(request: Request, db: PortalDb) -> Response:
    with db.session(write=True) as session:
        end_session(session, request.cookies.get(cookie_name(request)))
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, request)
    return response
