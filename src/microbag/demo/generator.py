"""Load the demo business: one call, one transaction, the same data for the same seed.

``load_demo(session, size=..., seed=...)`` writes warehouses, the catalog, buyer
companies and users, price lists, three years of orders ending now, and stock; last,
``trade_extras`` adds addresses, preorders, backorders, shipments and drops through the
services. It never commits: the caller's unit of work does (``db.session(write=True)``).
Randomness comes from one ``random.Random`` per part, seeded from ``seed``, so a part
draws the same numbers whatever the other parts do; with the same ``now`` the data
is identical (the CLI passes the current time, so dates end today).
"""

from __future__ import annotations

import random
import time as timer
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from microbag.accounts.service import hash_password
from microbag.buyers.models import Company
from microbag.catalog.models import Style
from microbag.catalog.search import FTS_TABLE, drop_text_search, install_text_search
from microbag.config import get_settings
from microbag.demo.bulk import BulkWriter, create_indexes, drop_secondary_indexes
from microbag.demo.buyers import People, build_people
from microbag.demo.catalog import HISTORY_DAYS, build_catalog
from microbag.demo.compliance import add_compliance_documents
from microbag.demo.market import DEMO_PASSWORD, PRICE_LIST_RULES, SELLER_DOMAIN
from microbag.demo.order_lifecycle import HistoryResult, write_history
from microbag.demo.orders_history import simulate_orders
from microbag.demo.prices import build_price_lists
from microbag.demo.purchasing import units_sold, write_purchasing
from microbag.demo.regions import FEATURED_COMPANIES
from microbag.demo.stock import add_warehouses, plan_stock, write_stock
from microbag.demo.suppliers import build_sourcing
from microbag.demo.trade_extras import add_trade_extras
from microbag.errors import DomainError
from microbag.orders.models import Order

DEFAULT_SEED = 2026

# Tables that get 100,000s of rows at --size large.
BIG_TABLES = ("styles", "skus", "price_list_items", "price_tiers", "stock_levels", "incoming_stock")

# Every table the demo writes (the CLI checks they exist before loading).
DEMO_TABLES = (
    "companies",
    "users",
    "styles",
    "style_occasions",
    "skus",
    "price_lists",
    "price_list_items",
    "price_tiers",
    "warehouses",
    "stock_levels",
    "incoming_stock",
    "orders",
    "order_lines",
    "order_allocations",
    "order_events",
    "compliance_documents",
    "suppliers",
    "supplier_certificates",
    "supplier_prices",
    "sku_costs",
    "purchase_orders",
    "purchase_order_lines",
    "purchase_order_events",
    "receipts",
    "receipt_lines",
    "inspections",
    "inspection_defects",
    "company_addresses",
    "warehouse_regions",
    "shipments",
    "shipment_lines",
    "drops",
    "drop_skus",
    "drop_requests",
    "drop_allocations",
)


@dataclass(frozen=True)
class DemoSize:
    min_styles: int
    min_skus: int
    # Drop the big tables' plain indexes during the load and build them at the end.
    rebuild_indexes: bool = False


SIZES: dict[str, DemoSize] = {
    "small": DemoSize(min_styles=72, min_skus=450),
    # For benchmarks: the catalog filter at 100,000 SKUs; the order history stays small.
    "large": DemoSize(min_styles=72, min_skus=100_000, rebuild_indexes=True),
}
CLI_SIZES = ("small", "large")


class Progress(Protocol):
    def task(self, label: str, total: int) -> Callable[[int], None]:
        """Start a step of ``total`` units; returns the function that advances it."""
        ...


class NoProgress:
    def task(self, label: str, total: int) -> Callable[[int], None]:
        return lambda n: None


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    company: str | None
    what: str


@dataclass
class DemoSummary:
    size: str
    seed: int
    password: str
    counts: dict[str, int]
    logins: list[DemoLogin]
    orders_by_status: dict[str, int]
    first_order_day: date | None
    last_order_day: date | None
    seconds: float = 0.0
    regions: dict[str, int] = field(default_factory=dict)
    segments: dict[str, int] = field(default_factory=dict)
    purchase_orders_by_status: dict[str, int] = field(default_factory=dict)
    lots_by_status: dict[str, int] = field(default_factory=dict)


def ensure_empty(session: Session) -> None:
    if session.scalar(select(func.count(Company.id))) or session.scalar(
        select(func.count(Style.id))
    ):
        raise DomainError.single(
            "database_not_empty",
            "the database already has companies or styles; demo data loads into an empty one",
            409,
        )


def load_demo(
    session: Session,
    *,
    size: str | DemoSize = "small",
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Write the demo business into an empty database (the caller commits).

    ``size`` names one of ``SIZES``, or is a ``DemoSize`` (tests use in-between sizes).
    """
    if isinstance(size, DemoSize):
        spec, size = size, "custom"
    elif size in SIZES:
        spec = SIZES[size]
    else:
        raise DomainError.single("unknown_size", f"size must be one of: {', '.join(SIZES)}")
    started = timer.perf_counter()
    ensure_empty(session)
    now = now or datetime.now(UTC)
    today = now.date()
    bar = progress or NoProgress()

    def rng(part: str) -> random.Random:
        return random.Random(f"microbag-demo:{seed}:{part}")  # noqa: S311 - jitter and demo data, not secrets

    writer = BulkWriter(session)
    # SQLite's trigram index on SKU texts is kept by a trigger per row; filling it
    # once at the end is many times faster than 100,000 trigger runs.
    rebuild_search = _suspend_text_search(session)
    indexes = drop_secondary_indexes(session, BIG_TABLES) if spec.rebuild_indexes else []
    warehouses = add_warehouses(writer)
    catalog = build_catalog(
        rng("catalog"),
        writer,
        today,
        min_styles=spec.min_styles,
        min_skus=spec.min_skus,
        core=(SIZES["small"].min_styles, SIZES["small"].min_skus),
        progress=bar.task("catalog: styles and SKUs", spec.min_skus),
    )
    # One hash for everyone: argon2 is deliberately slow.
    people = build_people(rng("people"), writer, today, hash_password(DEMO_PASSWORD))
    n_default = sum(1 for r in PRICE_LIST_RULES if r.segment is None)
    n_other = len(PRICE_LIST_RULES) - n_default + len(people.contracts)
    core_skus = catalog.core_skus
    price_lists = build_price_lists(
        writer,
        catalog.skus,
        core_skus,
        people.contracts,
        today - timedelta(days=HISTORY_DAYS + 30),
        progress=bar.task(
            "price lists and tiers", n_default * len(catalog.skus) + n_other * core_skus
        ),
    )
    plan = plan_stock(rng("stock-plan"), catalog.skus, warehouses)
    drafts = simulate_orders(
        rng("orders"),
        today,
        catalog,
        people,
        price_lists,
        progress=bar.task("order history: buyers", len(people.companies)),
    )
    history = write_history(
        rng("lifecycle"),
        writer,
        drafts,
        people,
        warehouses,
        plan.stocked,
        now,
        progress=bar.task("order history: orders", len(drafts)),
    )
    write_stock(
        rng("stock"),
        writer,
        catalog.skus,
        plan,
        history.reserved,
        today,
        now,
        progress=bar.task("stock and incoming batches", len(catalog.skus)),
    )
    # The buying side: suppliers, price lists, landed costs, a year of purchase orders.
    settings = get_settings()
    sourcing = build_sourcing(
        rng("suppliers"),
        writer,
        catalog,
        settings,
        today,
        progress=bar.task("suppliers and price lists", len(catalog.skus)),
    )
    buying = write_purchasing(
        rng("purchasing"),
        writer,
        sourcing,
        plan.homes,
        units_sold(drafts, now - timedelta(days=365), now),
        [u.email for u in people.staff_with("merchandiser") or people.staff],
        settings,
        now,
        progress=bar.task("purchase orders, receipts and inspections", 1),
    )
    writer.finish()
    create_indexes(session, indexes)
    if rebuild_search:
        install_text_search(session.connection())
    counts = dict(writer.counts)
    counts["compliance_documents"] = add_compliance_documents(session, today)
    for table in DEMO_TABLES:  # fresh statistics for the planner after the bulk load
        session.execute(text(f"ANALYZE {table}"))
    _fit_credit_limits(session, people, history)
    # Issue 11 through the real services: warehouse regions, addresses and order terms,
    # preorders, backorders, partial shipments, drops.
    counts.update(add_trade_extras(session, rng("trade-extras"), people, now))
    by_status = session.execute(select(Order.status, func.count(Order.id)).group_by(Order.status))
    placed = [d.created_at for d in drafts if d.created_at <= now]
    return DemoSummary(
        size=size,
        seed=seed,
        password=DEMO_PASSWORD,
        counts=counts,
        logins=demo_logins(people),
        orders_by_status={status: int(n) for status, n in sorted(by_status.all())},
        first_order_day=min(placed).date() if placed else None,
        last_order_day=max(placed).date() if placed else None,
        seconds=timer.perf_counter() - started,
        regions=dict(sorted(Counter(c.region for c in people.companies).items())),
        segments=dict(sorted(Counter(c.segment for c in people.companies).items())),
        purchase_orders_by_status=buying.by_status,
        lots_by_status=buying.lots_by_status,
    )


def _suspend_text_search(session: Session) -> bool:
    """Drop SQLite's trigram search table and triggers if present (True: rebuild later)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return False
    present = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE name = ?", (FTS_TABLE,)
    ).first()
    if present is None:
        return False
    drop_text_search(connection)
    return True


def _fit_credit_limits(session: Session, people: People, history: HistoryResult) -> None:
    """Keep room on every account: unpaid orders use at most ~40% of the credit limit."""
    for company in people.companies:
        exposure = history.unpaid.get(company.id, 0)
        limit = company.credit_limit_minor
        if limit == 0 or exposure <= 0.4 * limit:
            continue
        step = 10 ** (len(str(exposure)) - 2)
        new_limit = -(-(exposure * 5 // 2) // step) * step
        company.credit_limit_minor = new_limit
        session.execute(
            update(Company).where(Company.id == company.id).values(credit_limit_minor=new_limit)
        )


def demo_logins(people: People) -> list[DemoLogin]:
    logins = [
        DemoLogin(f"admin@{SELLER_DOMAIN}", "admin", None, "seller admin"),
        DemoLogin(f"sales@{SELLER_DOMAIN}", "sales", None, "seller sales"),
        DemoLogin(f"merch@{SELLER_DOMAIN}", "merchandiser", None, "seller merchandiser"),
    ]
    for featured in FEATURED_COMPANIES:
        company = next(c for c in people.companies if c.name.startswith(featured.name + " ("))
        owner = next(u for u in company.users if u.role == "owner")
        what = f"buyer owner, {featured.segment.replace('_', ' ')}, {company.currency}"
        logins.append(DemoLogin(owner.email, "owner", company.name, what))
    return logins


__all__ = [
    "CLI_SIZES",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "DEMO_TABLES",
    "SIZES",
    "DemoLogin",
    "DemoSummary",
    "NoProgress",
    "Progress",
    "ensure_empty",
    "load_demo",
]
