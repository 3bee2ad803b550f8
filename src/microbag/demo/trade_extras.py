"""Issue 11 in the demo, through the real services: warehouse regions, addresses and order
terms, preorders, backorders, partial shipments and limited-edition drops.

``add_trade_extras`` runs last in ``load_demo``, in its transaction (services never
commit). Each order, shipment and drop step runs in a savepoint and is skipped on a
DomainError, so the demo never fails on them. The services stamp the wall clock; the rows
made here are then dated relative to the demo's ``now`` (placed days ago, shipped later),
so the same seed and ``now`` give the same data. What the services check against the
wall clock (a batch still expected, an embargo ahead) uses the later of ``now`` and the
clock. The e-mails the services queue are removed: loading the demo mails nobody.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ParamSpec, TypeVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.accounts.service import get_user_by_email, principal_of
from microbag.buyers import service as buyers
from microbag.buyers.models import CompanyAddress
from microbag.catalog.models import Sku, Style
from microbag.demo.address_book import add_addresses
from microbag.demo.buyers import CompanyRec, People
from microbag.demo.drop_extras import add_drops
from microbag.demo.market import SELLER_DOMAIN
from microbag.drops.models import Drop, DropRequest, DropSku
from microbag.errors import DomainError
from microbag.notifications.models import MailMessage
from microbag.orders import service as orders
from microbag.orders import shipments
from microbag.orders.header import HeaderIn
from microbag.orders.models import Order, OrderAllocation, OrderEvent, OrderLine, Shipment
from microbag.orders.schemas import OrderLineIn
from microbag.pricing import service as pricing
from microbag.pricing.policies import SkuTerms
from microbag.stock.incoming import add_incoming, list_incoming
from microbag.stock.models import StockLevel, WarehouseRegion
from microbag.stock.regions import set_regions
from microbag.timeutil import utcnow

T = TypeVar("T")
P = ParamSpec("P")

# Which buyer regions each warehouse serves first (rank 1: the region's first choice).
WAREHOUSE_REGIONS = {
    "US-NJ": (("us", 1), ("latin_america", 1)),
    "EU-NL": (("europe", 1), ("middle_east", 1)),
    "ASIA-HK": (("japan_korea", 1), ("china", 1), ("other", 1)),
}
CREDIT_USE = 0.45  # new orders keep a company's unpaid orders under this share of its limit
DAY = timedelta(days=1)
COUNTED = {
    "orders": Order,
    "order_lines": OrderLine,
    "order_allocations": OrderAllocation,
    "order_events": OrderEvent,
    "company_addresses": CompanyAddress,
    "warehouse_regions": WarehouseRegion,
    "shipments": Shipment,
    "drops": Drop,
    "drop_requests": DropRequest,
}


@dataclass
class Buying:
    """What one company may order: its terms per SKU, minimum order value, credit left."""

    terms: dict[int, SkuTerms]
    min_order: int
    room: float  # inf: prepaid

    def quantity(self, t: SkuTerms, at_least: int = 1, min_order: int | None = None) -> int:
        """The fewest whole case packs, at least the MOQ and ``at_least``, whose line
        reaches the minimum order value."""
        q = -(-max(t.moq, at_least, 1) // t.case_pack) * t.case_pack
        while q * t.unit_price(q) < (self.min_order if min_order is None else min_order):
            q += t.case_pack
        return q


@dataclass(frozen=True)
class Option:
    """A SKU to order (for a preorder: on this incoming batch)."""

    code: str
    sku_id: int
    batch_id: int | None = None


@dataclass
class Extras:
    session: Session
    rng: random.Random
    people: People
    now: datetime
    clock: datetime  # the later of ``now`` and the wall clock
    staff: dict[str, Principal] = field(default_factory=dict)
    free: dict[int, int] = field(default_factory=dict)  # units free to sell per SKU
    po_numbers: int = 0

    def person(self, email: str) -> Principal:
        return principal_of(get_user_by_email(self.session, email))

    def buyer(self, company: CompanyRec) -> Principal:
        return self.person(next(u.email for u in company.users if u.role == "owner"))

    def attempt(self, step: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """A service step in a savepoint: its result, or None (rolled back) on a DomainError."""
        try:
            with self.session.begin_nested():
                return step(*args, **kwargs)
        except DomainError:
            return None

    def stamp(self, order_id: int, at: datetime, *, placed: bool = False) -> None:
        """Date the order's newest event (a new order: the order and all its events)."""
        events = select(OrderEvent.id).where(OrderEvent.order_id == order_id)
        if not placed:
            events = events.order_by(OrderEvent.id.desc()).limit(1)
        ids = list(self.session.scalars(events))
        self.session.execute(update(OrderEvent).where(OrderEvent.id.in_(ids)).values(at=at))
        if placed:
            self.session.execute(
                update(Order).where(Order.id == order_id).values(created_at=at, placed_at=at)
            )

    def buying(self, company: CompanyRec, sku_ids: Sequence[int]) -> Buying | None:
        found = buyers.get_company(self.session, company.id)
        price_list = pricing.price_list_for_company(self.session, found)
        if price_list is None:
            return None
        room = float("inf")
        if company.payment_terms_days is not None:
            unpaid = buyers.open_unpaid_total(self.session, company.id)
            room = CREDIT_USE * company.credit_limit_minor - unpaid
        terms = pricing.terms_for(self.session, price_list, sku_ids)
        return Buying(terms, price_list.min_order_value_minor, room)

    def place(self, company: CompanyRec, lines: list[OrderLineIn], at: datetime) -> int | None:
        po = None
        if company.segment == "department_store":  # they require PO numbers
            self.po_numbers += 1
            po = f"PO-{at:%y%m}-{self.po_numbers}{self.rng.randint(100, 999)}"
        principal = self.buyer(company)
        placed = self.attempt(
            orders.place_order, self.session, principal, lines, header=HeaderIn(po)
        )
        if placed is None:
            return None
        self.stamp(placed[0].id, at, placed=True)
        return placed[0].id

    def confirm(self, order_id: int, at: datetime) -> None:
        sales = self.staff["sales"]
        if self.attempt(orders.confirm_order, self.session, sales, order_id) is not None:
            self.stamp(order_id, at)


def _orderable(session: Session) -> dict[str, int]:
    """Active SKUs outside limited editions and drops, code -> id."""
    rows = session.execute(
        select(Sku.code, Sku.id)
        .join(Style, Style.id == Sku.style_id)
        .where(Sku.lifecycle == "active", Style.is_limited_edition.is_(False))
        .where(Sku.id.not_in(select(DropSku.sku_id)))
        .order_by(Sku.id)
    )
    return {code: int(sku_id) for code, sku_id in rows}


def _free_stock(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(StockLevel.sku_id, func.sum(StockLevel.on_hand - StockLevel.reserved))
        .group_by(StockLevel.sku_id)
        .order_by(StockLevel.sku_id)
    )
    return {int(sku_id): int(units or 0) for sku_id, units in rows}


# ---- orders ------------------------------------------------------------------------------------


def _waiting_orders(
    x: Extras,
    companies: list[CompanyRec],
    options: list[Option],
    fulfilment: str,
    room: dict[int, int] | None = None,
) -> None:
    """A one-line preorder or backorder per company: the first option its terms, the
    minimum order value and its credit allow (a backorder asks one case more than stock
    has; a preorder fits in its batch's ``room``). The first company's order stays placed,
    the others are confirmed."""
    room = room or {}
    for n, company in enumerate(companies):
        x.rng.shuffle(options)
        tries = options[:15]
        buying = x.buying(company, [o.sku_id for o in tries])
        if buying is None:
            continue
        for o in tries:
            t, free = buying.terms.get(o.sku_id), x.free.get(o.sku_id, 0)
            if t is None or (fulfilment == "backorder" and free == 0):
                continue
            q = buying.quantity(t, free + 1)
            fits = o.batch_id is None or q <= room.get(o.batch_id, 0)
            if not fits or q * t.unit_price(q) > buying.room:
                continue
            line = OrderLineIn(
                sku=o.code, quantity=q, fulfilment=fulfilment, incoming_id=o.batch_id
            )
            at = x.now - (3 * n + 2) * DAY + timedelta(hours=x.rng.randint(1, 20))
            order_id = x.place(company, [line], at)
            if order_id is not None:
                x.free[o.sku_id] = 0
                if o.batch_id is not None:
                    room[o.batch_id] -= q
                if n:
                    x.confirm(order_id, at + DAY)
                break


def _preorder_options(x: Extras, orderable: dict[str, int]) -> tuple[list[Option], dict[int, int]]:
    """Batches of sold-out SKUs expected a few days from now (nothing fills such
    preorders before their batch arrives), and each batch's room. With a ``now`` behind
    the clock the history's batches may all be due: a few are then recorded as staff do."""
    horizon = x.clock.date() + timedelta(days=3)
    rows = list_incoming(x.session, pending=True, limit=10**6)[0]
    sold_out = {code for code, sku in orderable.items() if not x.free.get(sku)}
    batches = [b for b in rows if b.expected_date >= horizon and b.sku in sold_out]
    for code in sorted(sold_out)[: max(0, 6 - len(batches))]:
        due = horizon + timedelta(days=x.rng.randint(20, 50))
        recorded = x.attempt(
            add_incoming,
            x.session,
            sku_code=code,
            warehouse_code=None,
            quantity=240,
            expected_date=due,
            note="replenishment",
            today=x.clock.date(),
        )
        batches += [recorded] if recorded is not None else []
    options = [Option(b.sku, orderable[b.sku], b.id) for b in batches]
    return options, {b.id: b.quantity for b in batches}


def _stock_order(
    x: Extras, company: CompanyRec, orderable: dict[str, int], at: datetime
) -> int | None:
    """A confirmed two-line order from well-stocked SKUs."""
    plenty = [Option(code, sku) for code, sku in orderable.items() if x.free.get(sku, 0) >= 300]
    x.rng.shuffle(plenty)
    buying = x.buying(company, [o.sku_id for o in plenty[:20]])
    if buying is None:
        return None
    lines: list[OrderLineIn] = []
    total = 0
    for o in plenty[:20]:
        t = buying.terms.get(o.sku_id)
        if t is None:
            continue
        q = buying.quantity(t, 1, 0 if lines else None)
        if q > x.free[o.sku_id] // 2 or total + q * t.unit_price(q) > buying.room:
            continue
        lines.append(OrderLineIn(sku=o.code, quantity=q))
        total += q * t.unit_price(q)
        if len(lines) == 2:
            break
    order_id = x.place(company, lines, at) if len(lines) == 2 else None
    if order_id is not None:
        x.confirm(order_id, at + DAY)
    return order_id


def _ship(x: Extras, order_id: int, carrier: str, number: str, line_no: int, at: datetime) -> int:
    """Ship what one line has reserved; the shipment's number (0: not shipped)."""
    line = x.session.scalars(
        select(OrderLine).where(OrderLine.order_id == order_id, OrderLine.line_no == line_no)
    ).one()
    wanted = [shipments.ShipmentLineIn(line_no, line.quantity - line.shipped_quantity)]
    shipment = x.attempt(
        shipments.create_shipment,
        x.session,
        x.staff["sales"],
        order_id,
        carrier=carrier,
        tracking_number=number,
        lines=wanted,
    )
    if shipment is None:
        return 0
    shipment.shipped_at = at
    x.stamp(order_id, at)
    return shipment.number


def _shipped_orders(
    x: Extras, orderable: dict[str, int], boutique: CompanyRec, store: CompanyRec
) -> None:
    """One order partly shipped (DHL Express), one shipped in two UPS shipments, the first
    delivered."""
    now, rng = x.now, x.rng
    partly = _stock_order(x, boutique, orderable, now - 9 * DAY)
    if partly is not None:
        _ship(x, partly, "dhl_express", str(rng.randint(10**9, 10**10 - 1)), 1, now - 6 * DAY)
    whole = _stock_order(x, store, orderable, now - 15 * DAY)
    account = "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXY") for _ in range(6))
    ups = [f"1Z{account}03{rng.randint(10**7, 10**8 - 1)}" for _ in range(2)]
    if whole is None or not (first := _ship(x, whole, "ups", ups[0], 1, now - 12 * DAY)):
        return
    _ship(x, whole, "ups", ups[1], 2, now - 5 * DAY)
    sales = x.staff["sales"]
    delivered = x.attempt(shipments.deliver_shipment, x.session, sales, whole, first)
    if delivered is not None:
        delivered.delivered_at = now - 9 * DAY


# ---- all of it ---------------------------------------------------------------------------------


def _order_terms(x: Extras) -> None:
    """Incoterms by region and segment; department stores require PO numbers (what staff
    set with PATCH /api/v1/companies/{id})."""
    for company in x.people.companies:
        changes: dict[str, object] = {}
        if company.region == "middle_east":
            changes["incoterm_default"] = "DDP"
        elif company.segment == "distributor" and company.region == "china":
            changes["incoterm_default"] = x.rng.choice(("FOB", "EXW"))
        elif company.segment == "distributor" and company.region == "latin_america":
            changes["incoterm_default"] = "FOB"
        if company.segment == "department_store":
            changes["po_number_required"] = True
        if changes:
            buyers.update_company(x.session, company.id, changes, actor=x.staff["admin"])


def add_trade_extras(
    session: Session, rng: random.Random, people: People, now: datetime
) -> dict[str, int]:
    """Write the issue-11 features into the loaded demo; the row counts of its tables."""
    x = Extras(session, rng, people, now, max(now, utcnow()))
    for role in ("admin", "sales", "merch"):
        x.staff[role] = x.person(f"{role}@{SELLER_DOMAIN}")
    mail_before = session.scalar(select(func.coalesce(func.max(MailMessage.id), 0))) or 0
    for code, ranks in WAREHOUSE_REGIONS.items():
        set_regions(session, code, ranks)
    add_addresses(session, rng, people.companies, x.staff["admin"])
    x.free = _free_stock(session)
    live = [c for c in people.companies if not c.featured and c.dormant_from is None]
    rng.shuffle(live)
    add_drops(x, live)  # before the PO-number rule: the allocation's orders carry none
    _order_terms(x)
    orderable = _orderable(session)
    featured = {c.segment: c for c in people.companies if c.featured}
    boutique, store = featured["boutique"], featured["department_store"]
    _shipped_orders(x, orderable, boutique, store)
    batches, room = _preorder_options(x, orderable)
    _waiting_orders(x, [boutique, *live[:2]], batches, "preorder", room)
    low = [Option(c, s) for c, s in orderable.items() if 0 < x.free.get(s, 0) <= 40]
    _waiting_orders(x, [store, *live[2:4]], low, "backorder")
    session.flush()
    session.execute(delete(MailMessage).where(MailMessage.id > mail_before))
    return {
        name: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in COUNTED.items()
    }
