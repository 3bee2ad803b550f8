"""Import every package's models so the metadata is complete (Alembic, create_all)."""

from microbag.accounts.models import ApiToken, User
from microbag.audit.models import AUDIT_MODELS  # noqa: F401 - audit log (issue 11)
from microbag.bundles.models import BUNDLE_MODELS  # noqa: F401 - mined rules, offers, discounts
from microbag.buyers.models import Company
from microbag.catalog.models import Sku, Style, StyleOccasion
from microbag.compliance.models import ComplianceDocument
from microbag.db import Base
from microbag.drops.models import DROPS_MODELS  # noqa: F401 - drops, requests, allocations
from microbag.forecasting.models import BacktestScore, Forecast, ForecastRun
from microbag.inspection.models import INSPECTION_MODELS  # noqa: F401 - inspections, defects, photos
from microbag.jobs.models import Job, JobFile
from microbag.knowledge.models import KnowledgeEdit
from microbag.notifications.models import NOTIFICATION_MODELS  # noqa: F401 - outbox, preferences
from microbag.orders.models import IdempotencyRecord, Order, OrderAllocation, OrderEvent, OrderLine
from microbag.pricing.models import PriceList, PriceListItem, PriceTier
from microbag.purchasing.models import PURCHASING_MODELS  # noqa: F401 - POs, receipts and lots
from microbag.quotes.models import Quote, QuoteArtwork, QuoteLine
from microbag.rangeplan.models import RANGEPLAN_MODELS  # noqa: F401 - unit costs, range plans
from microbag.stock.models import IncomingStock, StockLevel, Warehouse
from microbag.suggestions.models import CustomerLink, SentSuggestion
from microbag.suppliers.models import SUPPLIER_MODELS  # noqa: F401 - suppliers, certificates, prices
from microbag.trends.models import INTELLIGENCE_MODELS  # noqa: F401 - history, signals, trends
from microbag.web.models import LoginFailure, WebSession

__all__ = [
    "ApiToken",
    "BacktestScore",
    "Base",
    "Company",
    "ComplianceDocument",
    "CustomerLink",
    "Forecast",
    "ForecastRun",
    "IdempotencyRecord",
    "IncomingStock",
    "Job",
    "JobFile",
    "KnowledgeEdit",
    "LoginFailure",
    "Order",
    "OrderAllocation",
    "OrderEvent",
    "OrderLine",
    "PriceList",
    "PriceListItem",
    "PriceTier",
    "Quote",
    "QuoteArtwork",
    "QuoteLine",
    "SentSuggestion",
    "Sku",
    "StockLevel",
    "Style",
    "StyleOccasion",
    "User",
    "Warehouse",
    "WebSession",
]
