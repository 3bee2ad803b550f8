"""Error pages for browser paths; the API's JSON error shape stays as it is.

Exception handlers are app-wide, so each portal handler looks at the path: API
paths go to the JSON handler installed by microbag.http, portal paths get a page
in the portal's look (404, 403, 500 and the core's rule errors in plain words).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from microbag.db import DATABASE_ERRORS, TRY_AGAIN, database_trouble
from microbag.errors import DomainError, ErrorItem
from microbag.http import database_trouble_json, error_json
from microbag.request_retry import rerun_wanted
from microbag.web.csrf import CsrfRefused
from microbag.web.deps import LoginRequired, PageForbidden
from microbag.web.middleware import is_portal_path
from microbag.web.render import is_htmx, render

log = logging.getLogger("microbag.web")

Handler = Callable[[Request, Any], Awaitable[Response]]

TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    409: "Could not do that",
    413: "File too large",
    415: "File type not accepted",
    422: "Please check your input",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}

# Plain words for an HTTP error raised with only its standard phrase (Starlette's
# "Method Not Allowed" and the like): what happened and what to do next.
MESSAGES = {
    400: "The request could not be understood. Go back and try again.",
    401: "Sign in to see this page.",
    405: "This address does not accept that kind of request. "
    "Go back and use the page's buttons and forms.",
    413: "What you sent is larger than this page accepts. Choose a smaller file and try again.",
    415: "This kind of file is not accepted here. Choose another file and try again.",
    429: "Too many attempts in a short time. Wait a few minutes and try again.",
    503: "The service is busy or under maintenance. Please try again in a minute.",
}


def friendly_message(status: int, detail: str) -> str:
    """The detail when it says something; for a bare status phrase, plain words."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    if not detail or detail == phrase:
        return MESSAGES.get(status, detail or phrase or "The request could not be completed.")
    return detail


def error_page(
    request: Request,
    status: int,
    message: str,
    items: list[ErrorItem] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "error.html",
        {
            "status": status,
            "title": TITLES.get(status, "Error"),
            "message": message,
            "items": items,
        },
        status_code=status,
        headers=headers,
        fragment=False,
    )


def try_again_page(request: Request, exc: Exception) -> Response | None:
    """The plain "try again" page (503, ``Retry-After``) for a transient database failure
    (``microbag.db.database_trouble``); None for any other error."""
    trouble = database_trouble(exc)
    if trouble is None:
        return None
    if trouble.code == TRY_AGAIN:
        message = "The service is busy right now. Nothing was changed; please try again."
    else:
        message = (
            "The service cannot reach its database right now. Nothing was changed; "
            "please try again in a minute."
        )
    headers = {"Retry-After": str(trouble.retry_after_s)}
    return error_page(request, 503, message, headers=headers)


def not_found_page(request: Request) -> Response:
    return error_page(
        request, 404, "There is no such page, or it belongs to someone else's account."
    )


def install_portal_error_handlers(app: FastAPI) -> None:
    api_http: Handler = app.exception_handlers[StarletteHTTPException]  # type: ignore[assignment]
    api_domain: Handler = app.exception_handlers[DomainError]  # type: ignore[assignment]
    api_validation: Handler = app.exception_handlers[RequestValidationError]  # type: ignore[assignment]
    api_database: Handler = app.exception_handlers[DATABASE_ERRORS[0]]  # type: ignore[assignment]

    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_portal_path(request.url.path):
            return await api_http(request, exc)
        if exc.status_code == 404:
            return not_found_page(request)
        headers = dict(exc.headers) if exc.headers else None
        message = friendly_message(exc.status_code, str(exc.detail or ""))
        return error_page(request, exc.status_code, message, headers=headers)

    async def on_domain(request: Request, exc: DomainError) -> Response:
        if not is_portal_path(request.url.path):
            return await api_domain(request, exc)
        if exc.status == 404:
            return not_found_page(request)
        message = "The request could not be completed:" if exc.items else str(exc)
        return error_page(request, exc.status, message, exc.items)

    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        if not is_portal_path(request.url.path):
            return await api_validation(request, exc)
        items = [
            ErrorItem("invalid_input", f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}")
            for e in exc.errors()
        ]
        return error_page(request, 422, "Some of the values sent are not valid.", items)

    async def on_database(request: Request, exc: Exception) -> Response:
        if rerun_wanted(request.scope, exc):
            raise exc  # the request is run again (microbag.request_retry); nothing sent yet
        if not is_portal_path(request.url.path):
            return await api_database(request, exc)
        page = try_again_page(request, exc)
        if page is None:
            raise exc  # not a transient failure: on_crash answers 500
        return page

    async def on_csrf(request: Request, _exc: CsrfRefused) -> Response:
        return error_page(
            request,
            403,
            "This form has expired or did not come from this site. Reload the page and try again.",
        )

    async def on_login_required(request: Request, exc: LoginRequired) -> Response:
        if is_htmx(request):
            # htmx follows HX-Redirect with a full page load.
            return Response(status_code=200, headers={"HX-Redirect": exc.next_url})
        return RedirectResponse(exc.next_url, status_code=303)

    async def on_forbidden(request: Request, exc: PageForbidden) -> Response:
        return error_page(request, 403, exc.message)

    async def on_crash(request: Request, exc: Exception) -> Response:
        # Also reached by errors raised outside the routes (the portal middleware's
        # session lookup): a database that is down answers 503 there too.
        portal = is_portal_path(request.url.path)
        transient = try_again_page(request, exc) if portal else database_trouble_json(exc)
        if transient is not None:
            log.warning("database trouble on %s %s: %s", request.method, request.url.path, exc)
            return transient
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        if not portal:
            return error_json(
                [{"code": "internal_error", "message": "Internal server error", "line": None}],
                500,
            )
        return error_page(
            request,
            500,
            "The server hit an unexpected error. Nothing was changed; please try again.",
        )

    app.add_exception_handler(StarletteHTTPException, on_http)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, on_domain)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, on_validation)  # type: ignore[arg-type]
    for database_error in DATABASE_ERRORS:
        app.add_exception_handler(database_error, on_database)
    app.add_exception_handler(CsrfRefused, on_csrf)  # type: ignore[arg-type]
    app.add_exception_handler(LoginRequired, on_login_required)  # type: ignore[arg-type]
    app.add_exception_handler(PageForbidden, on_forbidden)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, on_crash)
