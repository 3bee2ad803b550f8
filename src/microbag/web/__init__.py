"""The portal: server-rendered pages (Jinja2 + a locally served htmx) on the core services.

``mount_portal(app)`` adds the session middleware, the error pages for browser
paths, /static, and every page router. Imports stay inside the function so that
importing ``microbag.web.models`` (from microbag.models) pulls in nothing else.
"""

from __future__ import annotations

import importlib
from typing import Any

from fastapi import FastAPI

# Page routers, in the order they are matched.
PAGE_MODULES = (
    "microbag.web.auth",
    "microbag.web.staff",
    "microbag.catalog.pages",
    "microbag.orders.pages",
    "microbag.orders.staff_pages",
    "microbag.orders.shipment_pages",
    "microbag.orders.queue_pages",
    "microbag.quotes.pages",
    "microbag.quotes.staff_pages",
    "microbag.catalog.import_pages",
    "microbag.catalog.staff_pages",
    "microbag.catalog.staff_sku_pages",
    "microbag.compliance.pages",
    "microbag.pricing.pages",
    "microbag.stock.pages",
    "microbag.buyers.pages",
    "microbag.accounts.staff_pages",
    "microbag.trends.pages",
    "microbag.forecasting.pages",
    "microbag.jobs.pages",
    "microbag.jobs.import_pages",
    "microbag.suggestions.pages",
    "microbag.suggestions.staff_pages",
    "microbag.knowledge.pages",
    "microbag.rangeplan.staff_pages",
    "microbag.bundles.staff_pages",
    "microbag.suppliers.staff_pages",
    "microbag.purchasing.staff_pages",
    "microbag.inspection.staff_pages",
    "microbag.scorecards.staff_pages",
    "microbag.reorder.staff_pages",
    "microbag.drops.pages",
    "microbag.drops.staff_pages",
    "microbag.notifications.pages",
    "microbag.notifications.staff_pages",
    "microbag.audit.staff_pages",
)


def mount_portal(app: FastAPI) -> None:
    from starlette.staticfiles import StaticFiles

    from microbag.web.errors import install_portal_error_handlers
    from microbag.web.middleware import PortalMiddleware
    from microbag.web.render import STATIC_DIR

    install_portal_error_handlers(app)
    app.add_middleware(PortalMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for name in PAGE_MODULES:
        module: Any = importlib.import_module(name)
        app.include_router(module.router)
