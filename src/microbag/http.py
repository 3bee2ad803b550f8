"""Shared HTTP plumbing: sessions per request, bearer auth, roles, pagination, errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from microbag.accounts.principal import Principal
from microbag.accounts.schemas import INT32_MAX
from microbag.accounts.service import TokenCache, principal_for_token, token_still_valid
from microbag.config import get_settings
from microbag.db import Database, database_trouble
from microbag.errors import DomainError, Forbidden, Unauthorized
from microbag.paging import Page as Page  # re-exported for the API modules
from microbag.paging import PageParams as PageParams
from microbag.request_retry import rerun_wanted

# ---- error shape -----------------------------------------------------------------------------


class ErrorOut(BaseModel):
    code: str
    message: str
    line: int | None = None
    field: str | None = None


class ErrorResponse(BaseModel):
    errors: list[ErrorOut]


def _responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "Body could not be parsed (not JSON, not UTF-8, broken multipart)",
        401: "Missing or invalid bearer token",
        403: "Role not allowed",
        404: "Not found (or belongs to another company)",
        409: "Conflict with the current state",
        413: "Upload too large",
        422: "Invalid input or a broken business rule",
        503: "The database is busy or unreachable (`try_again`, `database_unavailable`); "
        "retry after the `Retry-After` seconds",
    }
    return {c: {"model": ErrorResponse, "description": text[c]} for c in codes}


# Every authenticated route may answer these; 400 is a body that cannot be parsed at all.
AUTH_RESPONSES = _responses(400, 401, 403, 422, 503)
READ_RESPONSES = _responses(400, 401, 403, 404, 422, 503)
WRITE_RESPONSES = _responses(400, 401, 403, 404, 409, 422, 503)


def error_json(items: list[dict[str, Any]], status: int) -> JSONResponse:
    return JSONResponse({"errors": items}, status_code=status)


def database_trouble_json(exc: Exception) -> JSONResponse | None:
    """503 in the error shape, with ``Retry-After``, for a transient database failure that
    outlasted the retries (``microbag.db.database_trouble``); None for any other error."""
    trouble = database_trouble(exc)
    if trouble is None:
        return None
    resp = error_json([{"code": trouble.code, "message": trouble.message, "line": None}], 503)
    resp.headers["Retry-After"] = str(trouble.retry_after_s)
    return resp


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_req: Request, exc: DomainError) -> JSONResponse:
        resp = error_json([i.as_dict() for i in exc.items], exc.status)
        if exc.status == 401:
            resp.headers["WWW-Authenticate"] = "Bearer"
        return resp

    @app.exception_handler(RequestValidationError)
    async def _validation(_req: Request, exc: RequestValidationError) -> JSONResponse:
        for err in exc.errors():
            if err.get("type") == "json_invalid":  # not JSON at all: 400, as docs/api.md says
                reason = (err.get("ctx") or {}).get("error") or err.get("msg", "")
                message = f"the request body is not valid JSON ({reason})"
                return error_json([{"code": "invalid_json", "message": message, "line": None}], 400)
        items = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
            line = None
            # body.lines.3.quantity -> line 4 (1-based, as people count lines)
            raw = list(err.get("loc", ()))
            if "lines" in raw:
                idx = raw.index("lines")
                if idx + 1 < len(raw) and isinstance(raw[idx + 1], int):
                    line = raw[idx + 1] + 1
            items.append(
                {
                    "code": "invalid_input",
                    "message": f"{'.'.join(loc) or 'request'}: {err.get('msg', 'invalid')}",
                    "line": line,
                    "field": ".".join(loc) or None,
                }
            )
        return error_json(items, 422)

    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeoutError)
    async def _database(req: Request, exc: Exception) -> JSONResponse:
        if rerun_wanted(req.scope, exc):
            raise exc  # the request is run again (microbag.request_retry); nothing sent yet
        resp = database_trouble_json(exc)
        if resp is None:
            raise exc  # a bug, not the weather: the server-error handler answers 500
        return resp

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
            exc.status_code, "http_error"
        )
        resp = error_json(
            [{"code": code, "message": str(exc.detail), "line": None}], exc.status_code
        )
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp


# ---- sessions ----------------------------------------------------------------------------------


async def get_database(request: Request) -> Database:
    # async: a plain attribute read, not worth a trip through the thread pool.
    db: Database = request.app.state.db
    return db


def read_session(db: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    with db.session(write=False) as session:
        yield session


def write_session(db: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """One write transaction per request (BEGIN IMMEDIATE on SQLite); commit on success."""
    with db.session(write=True) as session:
        yield session


# scope="function": the unit of work commits before the response is sent, so a client
# that got 201 finds the row on its next request (and a failed commit is not a 201), and
# a commit refused by a deadlock can still re-run the request (microbag.request_retry).
ReadSession = Annotated[Session, Depends(read_session, scope="function")]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]


# ---- authentication and roles -------------------------------------------------------------------

_bearer = HTTPBearer(auto_error=False, description="API token from `microbag token create`")


def _token_cache(request: Request) -> TokenCache:
    """This app instance's token cache (one per worker process, as the app is)."""
    cache = getattr(request.app.state, "token_cache", None)
    if not isinstance(cache, TokenCache):
        cache = request.app.state.token_cache = TokenCache()
    return cache


def _principal_from_database(db: Database, token: str, cache: TokenCache) -> Principal | None:
    # Often a request's first statement: the one to meet a connection cut since (re-run).
    principal = db.run(lambda session: principal_for_token(session, token))
    if principal is not None:
        cache.put(token, principal)
    return principal


@dataclass
class _CachedTokenCheck:
    """A principal taken from the token cache, still to be confirmed by the database."""

    token: str
    principal: Principal
    cache: TokenCache
    done: bool = False


# Set for the rest of the request when its principal came from the cache. The context
# is copied into the worker threads that run the route, and the object is shared, so
# the check runs once per request, whichever thread opens the first transaction.
_pending_check: ContextVar[_CachedTokenCheck | None] = ContextVar(
    "microbag_cached_token_check", default=None
)


@event.listens_for(Session, "after_begin")
def _confirm_cached_token(_session: Session, _transaction: Any, connection: Any) -> None:
    """Re-check a cached token in the first transaction the request opens, on its own
    connection: one indexed read instead of a separate lookup before the route, and a
    revocation or deactivation made by any worker process applies at once everywhere."""
    pending = _pending_check.get()
    if pending is None or pending.done:
        return
    pending.done = True
    if not token_still_valid(connection, pending.token, pending.principal):
        pending.cache.forget(pending.token)
        raise Unauthorized()


async def current_principal(
    request: Request,
    db: Annotated[Database, Depends(get_database)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    # The portal's session middleware may already have identified the user.
    existing = getattr(request.state, "principal", None)
    if isinstance(existing, Principal):
        return existing
    if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
        raise Unauthorized()
    token = creds.credentials
    cache = _token_cache(request)
    principal = cache.get(token, get_settings().token_cache_seconds)
    if principal is not None:
        _pending_check.set(_CachedTokenCheck(token, principal, cache))
        return principal
    principal = await run_in_threadpool(_principal_from_database, db, token, cache)
    if principal is None:
        raise Unauthorized()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_staff(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """Dependency: a staff user, optionally with one of ``roles``."""

    allowed = frozenset(roles)

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.is_staff:
            raise Forbidden("this action is for the seller's staff")
        if allowed and principal.role not in allowed:
            raise Forbidden(f"role {principal.role!r} may not do this; needs {sorted(allowed)}")
        return principal

    return check


def require_buyer(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """Dependency: a buyer company's user, optionally with one of ``roles``."""

    allowed = frozenset(roles)

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.is_staff:
            raise Forbidden("this action is for buyer companies' users")
        if allowed and principal.role not in allowed:
            raise Forbidden(f"role {principal.role!r} may not do this; needs {sorted(allowed)}")
        return principal

    return check


# ---- pagination --------------------------------------------------------------------------------


def page_params(
    page: Annotated[int, Query(ge=1, le=100_000, description="1-based page number")] = 1,
    page_size: Annotated[
        int, Query(ge=1, le=200, description="Items per page (capped at 200)")
    ] = 50,
) -> PageParams:
    return PageParams(page=page, page_size=min(page_size, get_settings().page_size_max))


Paging = Annotated[PageParams, Depends(page_params)]

# A path parameter that is an object id (an int32 primary key).
IdPath = Annotated[int, Path(ge=1, le=INT32_MAX, description="Object id")]
