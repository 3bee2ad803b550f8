"""The FastAPI application: API under /api/v1, health check, and the portal."""

from __future__ import annotations

import importlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI

from microbag import __version__
from microbag.api_docs import mount_api_docs
from microbag.config import get_settings
from microbag.db import Database, get_database
from microbag.http import install_error_handlers
from microbag.request_retry import RetryMiddleware
from microbag.web import mount_portal

# Each business package exposes ``router`` in its api.py; order sets the docs' order
# and the routes' matching order: orders first, as placing is the API's hot path.
API_MODULES = (
    "microbag.orders.api",
    "microbag.orders.shipments_api",  # shipments, the waiting queue, carriers (issue 11)
    "microbag.accounts.api",
    "microbag.buyers.api",
    "microbag.catalog.api",
    "microbag.compliance.api",
    "microbag.pricing.api",
    "microbag.stock.api",
    "microbag.quotes.api",
    "microbag.trends.api",
    "microbag.signals.api",
    "microbag.forecasting.api",
    "microbag.suggestions.api",
    "microbag.knowledge.api",
    "microbag.bundles.api",
    "microbag.rangeplan.api",
    "microbag.suppliers.api",
    "microbag.purchasing.api",
    "microbag.inspection.api",
    "microbag.scorecards.api",
    "microbag.reorder.api",
    "microbag.drops.api",
    "microbag.notifications.api",
    "microbag.audit.api",
)


def chart_warmup_wanted() -> bool:
    """Warm the chart engine at start-up, except under pytest (tests render few charts,
    and a background engine start would only compete with them for the CPU)."""
    return get_settings().chart_warmup and "PYTEST_CURRENT_TEST" not in os.environ


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    if chart_warmup_wanted():
        from microbag.analytics.charts import warm_up_in_background

        warm_up_in_background()  # a daemon thread: start-up is not blocked
    yield


def create_app(db: Database | None = None) -> FastAPI:
    app = FastAPI(
        lifespan=lifespan,
        title="microbag",
        version=__version__,
        description="B2B platform for the micro bag trade. Authenticate with "
        "`Authorization: Bearer <token>` (create one with `microbag token create`).",
        openapi_url="/openapi.json",
        # /docs and /redoc come from mount_api_docs: local assets, no CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.db = db or get_database()
    install_error_handlers(app)

    api = APIRouter(prefix="/api/v1")
    for name in API_MODULES:
        module: Any = importlib.import_module(name)
        api.include_router(module.router)
    app.include_router(api)
    mount_api_docs(app)
    mount_portal(app)
    # Outermost but for the server-error handler: a transient database failure re-runs
    # the whole request, the portal's session lookup included.
    app.add_middleware(RetryMiddleware)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        from sqlalchemy import text

        with app.state.db.session() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    return app
