"""Page dependencies: who must be signed in, and where the database is."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from microbag.db import Database
from microbag.web.sessions import PortalUser


class LoginRequired(Exception):
    """No live session: the page redirects to /login (and back afterwards)."""

    def __init__(self, next_url: str = "/") -> None:
        super().__init__(next_url)
        self.next_url = next_url


class PageForbidden(Exception):
    """Signed in, but this page is not for this kind of user or role."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def safe_next(value: str | None, default: str) -> str:
    """A local path to go back to after sign-in; anything else (other hosts) is ignored."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if value.startswith(("/login", "/logout")):
        return default
    return value


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="/")


def portal_user(request: Request) -> PortalUser:
    user = getattr(request.state, "portal_user", None)
    if not isinstance(user, PortalUser):
        raise LoginRequired(login_url(request))
    return user


def buyer_user(user: Annotated[PortalUser, Depends(portal_user)]) -> PortalUser:
    if user.is_staff:
        raise PageForbidden("This page is for buyer companies' users; staff use the staff pages.")
    return user


def staff_user(user: Annotated[PortalUser, Depends(portal_user)]) -> PortalUser:
    if not user.is_staff:
        raise PageForbidden("This page is for the seller's staff.")
    return user


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


SignedIn = Annotated[PortalUser, Depends(portal_user)]
BuyerUser = Annotated[PortalUser, Depends(buyer_user)]
StaffUser = Annotated[PortalUser, Depends(staff_user)]
PortalDb = Annotated[Database, Depends(database)]
