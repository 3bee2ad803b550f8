"""The interactive API documentation (/docs, /redoc), served without internet.

FastAPI's default pages load Swagger UI and ReDoc from a CDN, so on a machine without
internet /docs is blank. Their files come instead from the pinned ``fastapi-offline``
package (Swagger UI 5 and ReDoc 2, as FastAPI's defaults), served under /docs/assets:
nothing on these pages is fetched from another host.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs/assets"

# The pages may load only from this server. ReDoc's menu shows a logo from its vendor's
# CDN (hard-coded; it hides itself when the image fails): img-src keeps the browser
# from even asking. The two pages start their bundles with an inline script or style.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def assets_dir() -> Path:
    """The packaged Swagger UI / ReDoc files (swagger-ui-bundle.js, swagger-ui.css, ...)."""
    return Path(str(files("fastapi_offline") / "static"))


def local_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["content-security-policy"] = DOCS_CSP
    return page


def mount_api_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc (ReDoc) on local assets; create the app with
    ``docs_url=None, redoc_url=None`` so FastAPI's CDN pages are not added too."""
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect_url = app.swagger_ui_oauth2_redirect_url or f"{DOCS_URL}/oauth2-redirect"
    app.mount(ASSETS_URL, StaticFiles(directory=assets_dir()), name="api-docs-assets")

    def prefix(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    @app.get(DOCS_URL, include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = prefix(request)
        return local_only(
            get_swagger_ui_html(
                openapi_url=root + openapi_url,
                title=f"{app.title} API",
                oauth2_redirect_url=root + oauth2_redirect_url,
                swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
                swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
                swagger_ui_parameters=app.swagger_ui_parameters,
            )
        )

    @app.get(oauth2_redirect_url, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = prefix(request)
        return local_only(
            get_redoc_html(
                openapi_url=root + openapi_url,
                title=f"{app.title} API",
                redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
                redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
                with_google_fonts=False,
            )
        )
