"""Staff page for the seller's own users and their roles (admins only).

Thin adapter over accounts.service: add a staff user, change a role, deactivate
(their sessions and tokens stop at once), and set a new password for any user (staff
or buyer): their sessions end and their API tokens are revoked unless "keep API
tokens" is ticked. The last active admin cannot be demoted.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import RedirectResponse, Response

from microbag.accounts import service
from microbag.accounts.policies import STAFF_ROLES
from microbag.errors import DomainError
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb
from microbag.web.sessions import PortalUser
from microbag.web.staff import AdminStaff, Form, FormErrors, staff_page, text

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

UserId = Annotated[int, Path(ge=1, le=2_147_483_647)]
FIELD_OF_CODE = {
    "invalid_email": "email",
    "email_taken": "email",
    "invalid_role": "role",
    "weak_password": "password",
}
DONE = {
    "created": "Staff user added.",
    "saved": "Saved.",
    "password": "New password set: their portal sessions are ended and their API tokens revoked.",
    "password-kept": "New password set: their portal sessions are ended; their API tokens "
    "were kept.",
}
ROLE_HELP = {
    "admin": "everything, including staff users",
    "sales": "orders, quotes, prices, companies",
    "merchandiser": "catalog and stock",
}


def _errors(exc: DomainError) -> FormErrors:
    errors = FormErrors()
    for item in exc.items:
        message = item.message[:1].upper() + item.message[1:]
        errors.add(FIELD_OF_CODE.get(item.code), message.rstrip(".") + ".")
    return errors


def _page(
    request: Request,
    user: PortalUser,
    db: Any,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    row_errors: FormErrors | None = None,
    reset_values: dict[str, str] | None = None,
    reset_errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        users, _total = service.list_staff_users(session, limit=200)
    return staff_page(
        request,
        user,
        "staff/users.html",
        {
            "title": "Staff users",
            "users": users,
            "roles": [(r, f"{r.capitalize()}: {ROLE_HELP[r]}") for r in STAFF_ROLES],
            "values": values or {"role": "sales"},
            "errors": errors,
            "row_errors": row_errors,
            "reset_values": reset_values or {},
            "reset_errors": reset_errors,
            "min_password": service.MIN_PASSWORD_LENGTH,
            "notice": DONE.get(request.query_params.get("done", "")),
        },
        section="users",
        status_code=status_code,
    )


@router.get("/staff/users")
def staff_users(request: Request, user: AdminStaff, db: PortalDb) -> Response:
    return _page(request, user, db)


@router.post("/staff/users")
def add_staff_user(request: Request, user: AdminStaff, db: PortalDb, form: Form) -> Response:
    values = {name: text(form, name, 254) for name in ("email", "name", "role")}
    password = text(form, "password", 1024)
    errors = FormErrors()
    if not password:
        errors.add("password", "Set a first password; they can change it later.")
    if errors:
        return _page(request, user, db, values=values, errors=errors, status_code=422)
    try:
        with db.session(write=True) as session:
            service.create_user(
                session,
                email=values["email"],
                role=values["role"],
                company_id=None,
                name=values["name"],
                password=password,
                actor=user.principal,
            )
    except DomainError as exc:
        return _page(request, user, db, values=values, errors=_errors(exc), status_code=exc.status)
    return RedirectResponse("/staff/users?done=created", status_code=303)


# Before /staff/users/{user_id}, which would otherwise take "password" for an id.
@router.post("/staff/users/password")
def reset_password(request: Request, user: AdminStaff, db: PortalDb, form: Form) -> Response:
    """A new password for any user (staff or buyer), e.g. one who forgot theirs."""
    email = text(form, "email", 254)
    password = text(form, "password", 1024)
    keep_tokens = text(form, "keep_tokens") == "1"
    values = {"email": email, "keep_tokens": "1" if keep_tokens else ""}
    try:
        with db.session(write=True) as session:
            service.set_password(
                session, email, password, keep_tokens=keep_tokens, actor=user.principal
            )
    except DomainError as exc:
        errors = FormErrors()
        for item in exc.items:
            field = {"weak_password": "password", "unknown_user": "email"}.get(item.code)
            message = (
                "There is no user with this e-mail address"
                if field == "email"
                else (item.message[:1].upper() + item.message[1:])
            )
            errors.add(field, message.rstrip(".") + ".")
        status = 422 if exc.status == 404 else exc.status
        return _page(
            request, user, db, reset_values=values, reset_errors=errors, status_code=status
        )
    done = "password-kept" if keep_tokens else "password"
    return RedirectResponse(f"/staff/users?done={done}", status_code=303)


@router.post("/staff/users/{user_id}")
def update_staff_user(
    request: Request, user_id: UserId, user: AdminStaff, db: PortalDb, form: Form
) -> Response:
    role = text(form, "role", 32) or None
    active = text(form, "active")
    try:
        with db.session(write=True) as session:
            service.update_staff_user(
                session,
                user_id,
                role=role,
                is_active=None if not active else active == "1",
                actor=user.principal,
            )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _page(request, user, db, row_errors=_errors(exc), status_code=exc.status)
    return RedirectResponse("/staff/users?done=saved", status_code=303)
