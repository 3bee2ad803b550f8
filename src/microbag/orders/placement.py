"""Placing an order, the reads and checks: the hot path of the trade core, in few
statements (the writes that follow are in ``orders.placement_writes``).

An order is placed with SQLAlchemy Core statements built once at import, run on the
session's connection (the same transaction), not through the ORM unit of work: the
placement is the one write that buyers' systems call in bulk, and building statements
and the ORM's bookkeeping cost more than the database's own work. Per order, whatever
its number of lines: one read of the company and its price list, one read of every
line's SKU, terms and tiers, the idempotency key, the stock rows (locked, in SKU order),
the bundle offers (two lines or more), the stock update, and on PostgreSQL one statement
for the order, its lines, event and allocations and the key's link (a statement each on
SQLite); for a company on credit, last, the company's row lock and its open unpaid
total, in one round trip (``hold_credit``). On SQLite, whose writers are serialized,
``check`` reads the open unpaid total instead and nothing is locked.

Lock order (PostgreSQL), the same in every use case so transactions never deadlock:
the idempotency key (its unique row, claimed first; its foreign key takes a key-share
lock on the company row), stock rows by SKU and warehouse id, then, after the order is
written, the company row (``FOR NO KEY UPDATE``, which does not conflict with those
key-share locks). The company lock comes last because it serializes one company's
orders: held only for one read and the commit, a department store's parallel orders
queue for a moment, not for the whole placement. Transitions lock the order row, then
stock rows.

Services never commit; the caller's unit of work does. A DomainError leaves nothing
behind: the unit of work rolls back, so a failed placement reserves nothing and
stores no key.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    Select,
    Table,
    bindparam,
    select,
)
from sqlalchemy.orm import Session, aliased

from microbag.accounts.principal import Principal
from microbag.bundles import service as bundles
from microbag.bundles.policies import AppliedBundle, PricedLine, bundle_discounts, total_discount
from microbag.buyers.models import Company, CompanyAddress
from microbag.buyers.policies import ShipTo
from microbag.catalog.models import Sku
from microbag.errors import DomainError, ErrorItem, Forbidden
from microbag.orders import fulfilment, gates, policies
from microbag.orders.header import EMPTY_HEADER, HeaderIn
from microbag.orders.placement_credit import locks_rows, open_unpaid_total
from microbag.orders.policies import PLACED
from microbag.orders.schemas import OrderLineIn
from microbag.pricing.models import PriceList, PriceListItem, PriceTier
from microbag.pricing.policies import SkuTerms, Tier, quantity_errors
from microbag.pricing.service import chosen_price_list_id
from microbag.stock.models import StockLevel, WarehouseRegion
from microbag.stock.policies import Bin
from microbag.timeutil import utcnow

_stock = cast(Table, StockLevel.__table__)


# ---- what placing returns ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlacedLine:
    line_no: int
    sku_id: int
    sku_code: str
    quantity: int
    unit_price_minor: int
    # How the line is filled (orders.fulfilment): the units it waits for, the batch it
    # is preordered against and the promised ship window.
    fulfilment: str = "stock"
    waiting_quantity: int = 0
    incoming_id: int | None = None
    promised_from: date | None = None
    promised_until: date | None = None
    shipped_quantity: int = 0

    @property
    def line_total_minor(self) -> int:
        return self.unit_price_minor * self.quantity

    @property
    def reserve_quantity(self) -> int:
        """Units to reserve from stock now."""
        return self.quantity - self.waiting_quantity


@dataclass(frozen=True)
class PlacedEvent:
    from_status: str | None
    to_status: str
    actor_label: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class PlacedOrder:
    """A just-placed order, with the attributes of ``Order`` that its JSON needs."""

    id: int
    company_id: int
    currency: str
    total_minor: int
    quote_id: int | None
    created_at: datetime
    lines: list[PlacedLine]
    events: list[PlacedEvent]
    status: str = PLACED
    tracking_ref: str | None = None
    paid_at: datetime | None = None
    # The header (orders.header.Header), as written.
    po_number: str | None = None
    requested_delivery_date: date | None = None
    ship_to_address_id: int | None = None
    ship_to: dict[str, str] | None = None
    notes: str | None = None
    incoterm: str | None = None

    @property
    def placed_at(self) -> datetime:
        return self.created_at


# ---- the request and what the database knows about it --------------------------------------------


@dataclass(frozen=True)
class Request:
    lines: list[OrderLineIn]
    quote_id: int | None = None
    unit_prices: dict[str, int] = field(default_factory=dict)
    enforce_terms: bool = True
    reserve_stock: bool = True
    # The header fields as the request gives them (orders.header).
    header: HeaderIn = EMPTY_HEADER
    # Set when a drop's allocation places the order: that drop's SKUs pass its embargo
    # (orders.gates.check_orderable).
    drop_id: int | None = None
    # The buyer region stock is reserved for (the ship-to's; None: the company's).
    region: str | None = None


@dataclass(frozen=True)
class Buyer:
    """The company as placing needs it, with the price list that applies to it."""

    company_id: int
    currency: str
    payment_terms_days: int | None
    credit_limit_minor: int
    price_list_id: int | None
    min_order_value_minor: int
    # The header's defaults (read in the same statement): the company's region (which
    # warehouses serve it first), its incoterm, whether it must give a PO number.
    region: str = ""
    incoterm_default: str | None = None
    po_number_required: bool = False
    # The company's default ship-to (buyers.service.ship_to_for's rule), for orders that
    # name none: read here so that such an order costs no statement more.
    default_ship_to_id: int | None = None
    default_ship_to: ShipTo | None = None


def _build_buyer_stmt() -> Select[*tuple[Any, ...]]:
    chosen = chosen_price_list_id()  # pricing owns the rule: one definition
    # The default ship-to as buyers.service.ship_to_for(None) chooses it: the company's
    # active shipping address marked default, else its oldest active one (a test keeps
    # the two in step: tests/orders/test_header.py).
    candidate = aliased(CompanyAddress)
    default_address = (
        select(candidate.id)
        .where(
            candidate.company_id == Company.id,
            candidate.kind == "shipping",
            candidate.is_active.is_(True),
        )
        .order_by(candidate.is_default.desc(), candidate.id)
        .limit(1)
        .correlate(Company)
        .scalar_subquery()
    )
    return (
        select(
            Company.currency,
            Company.is_active,
            Company.payment_terms_days,
            Company.credit_limit_minor,
            PriceList.id,
            PriceList.min_order_value_minor,
            Company.region,
            Company.incoterm_default,
            Company.po_number_required,
            CompanyAddress.id.label("address_id"),
            CompanyAddress.name,
            CompanyAddress.line1,
            CompanyAddress.line2,
            CompanyAddress.city,
            CompanyAddress.region.label("address_region"),
            CompanyAddress.postal_code,
            CompanyAddress.country.label("address_country"),
        )
        .outerjoin(PriceList, PriceList.id == chosen)
        .outerjoin(CompanyAddress, CompanyAddress.id == default_address)
        .where(Company.id == bindparam("company_id"))
    )


# Statements of the hot path are built once: building them costs more than running them.
_buyer_stmt = _build_buyer_stmt()


def buyer_context(session: Session, principal: Principal) -> Buyer:
    """The caller's active company and its price list (one statement).

    The list is the company's own in its currency, else its segment's, else the
    default (``pricing.service.chosen_price_list_id``, the rule's one definition).
    """
    if principal.company_id is None:
        raise Forbidden("your company account is not active")
    session.flush()  # statements below run on the connection: no autoflush there
    row = session.connection().execute(_buyer_stmt, {"company_id": principal.company_id}).first()
    if row is None or not row.is_active:
        raise Forbidden("your company account is not active")
    return Buyer(
        principal.company_id,
        row.currency,
        row.payment_terms_days,
        int(row.credit_limit_minor),
        row.id,
        int(row.min_order_value_minor or 0),
        row.region,
        row.incoterm_default,
        bool(row.po_number_required),
        row.address_id,
        None
        if row.address_id is None
        else ShipTo(
            row.name,
            row.line1,
            row.line2,
            row.city,
            row.address_region,
            row.postal_code,
            row.address_country,
        ),
    )


@dataclass
class _LineFacts:
    sku_id: int
    terms: SkuTerms | None
    # A drop that is not closed holds the SKU: the gate is asked about it.
    held: bool = False


def _build_facts_stmt() -> Select[*tuple[Any, ...]]:
    item = cast(Table, PriceListItem.__table__).alias("item")
    tier = cast(Table, PriceTier.__table__).alias("tier")
    return (
        select(
            Sku.id,
            Sku.code,
            item.c.moq,
            item.c.case_pack,
            tier.c.min_quantity,
            tier.c.unit_price_minor,
            # Rides along so an order of SKUs no drop holds asks the gate nothing.
            gates.held_by_a_drop(Sku.id).label("held"),
        )
        .outerjoin(
            item,
            (item.c.sku_id == Sku.id) & (item.c.price_list_id == bindparam("price_list_id")),
        )
        .outerjoin(tier, tier.c.item_id == item.c.id)
        .where(Sku.code.in_(bindparam("codes", expanding=True)), Sku.lifecycle == "active")
        .order_by(Sku.id, tier.c.min_quantity)
    )


_facts_stmt = _build_facts_stmt()


def _line_facts(session: Session, buyer: Buyer, codes: set[str]) -> dict[str, _LineFacts]:
    """Active SKUs by code, with their terms on the buyer's list (None when not on it)."""
    if not codes:
        return {}
    rows = session.connection().execute(
        _facts_stmt, {"codes": list(codes), "price_list_id": buyer.price_list_id or -1}
    )
    grouped: dict[str, tuple[int, int | None, int | None, list[Tier]]] = {}
    held: set[str] = set()
    for sku_id, code, moq, case_pack, min_q, price, is_held in rows:
        entry = grouped.setdefault(code, (sku_id, moq, case_pack, []))
        if is_held:
            held.add(code)
        if min_q is not None:
            entry[3].append(Tier(min_q, price))
    facts: dict[str, _LineFacts] = {}
    for code, (sku_id, moq, case_pack, tiers) in grouped.items():
        terms = None
        if moq is not None and case_pack is not None and tiers:
            terms = SkuTerms(sku_id, code, buyer.currency, moq, case_pack, tuple(tiers))
        facts[code] = _LineFacts(sku_id, terms, code in held)
    return facts


def _bundles(
    session: Session, buyer: Buyer, request: Request, priced: list[PlacedLine]
) -> list[AppliedBundle]:
    """The bundle discounts the priced lines earn (``bundles.policies.bundle_discounts``,
    one read of the offers); none on a quote's agreed prices."""
    if request.quote_id is not None or request.unit_prices or len(priced) < 2:
        return []
    codes = {p.sku_code for p in priced}
    offers = bundles.offer_terms_for(session, buyer.price_list_id, buyer.currency, codes)
    if not offers:
        return []
    lines = [PricedLine(p.sku_code, p.quantity, p.unit_price_minor) for p in priced]
    return bundle_discounts(lines, offers, buyer.currency)


# ---- checking ----------------------------------------------------------------------------------


def check(
    session: Session, buyer: Buyer, request: Request, *, lock: bool
) -> tuple[list[PlacedLine], int, dict[int, list[Bin]], list[AppliedBundle]]:
    """Every line's problems at once; else the priced lines, the total (after bundle
    discounts), the stock bins and the bundle discounts.

    With ``lock`` (placing), the stock rows stay locked (PostgreSQL) until the
    transaction ends. Placing on PostgreSQL checks credit under the company's lock
    (``hold_credit``), so here the open unpaid total is read (without a lock) only to
    report a credit error beside other errors; without other errors, ``hold_credit``
    alone reads it, once per order instead of twice.
    """
    credit_later = lock and locks_rows(session)
    lines = request.lines
    errors = policies.duplicate_sku_errors([line.sku for line in lines])
    skip = {e.line for e in errors}
    facts = _line_facts(session, buyer, {line.sku for line in lines})
    # What may stop the company ordering a SKU now (drops' embargoes...): once per order,
    # and only for SKUs a drop holds (flagged by the facts' statement).
    held_ids = sorted({f.sku_id for f in facts.values() if f.held})
    blocked = (
        gates.check_orderable(
            session, buyer.company_id, held_ids, utcnow(), drop_id=request.drop_id
        )
        if held_ids
        else {}
    )
    priced: list[PlacedLine] = []
    all_priced = not errors
    for line_no, line in enumerate(lines, start=1):
        if line_no in skip:
            continue
        fact = facts.get(line.sku)
        agreed = request.unit_prices.get(line.sku)
        if fact is None or (fact.terms is None and agreed is None):
            all_priced = False
            errors.append(
                ErrorItem(
                    "unknown_sku", f"{line.sku}: no such SKU is on sale on your price list", line_no
                )
            )
            continue
        if fact.sku_id in blocked:
            errors.append(replace(blocked[fact.sku_id], line=line_no))
        if request.enforce_terms and fact.terms is not None:
            errors.extend(quantity_errors(fact.terms, line.quantity, line_no))
        if agreed is not None:
            if agreed < 0:
                errors.append(
                    ErrorItem(
                        "invalid_unit_price", f"{line.sku}: agreed price is negative", line_no
                    )
                )
            price = agreed
        else:
            assert fact.terms is not None  # noqa: S101 - the unknown_sku branch above
            price = fact.terms.unit_price(line.quantity)
        priced.append(PlacedLine(line_no, fact.sku_id, line.sku, line.quantity, price))

    total = sum(p.line_total_minor for p in priced)
    # Bundle offers take discount lines off the total (the lines keep their prices); the
    # minimum order value and the credit check below see the discounted total.
    applied = _bundles(session, buyer, request, priced) if not errors else []
    total -= total_discount(applied)
    too_large = policies.amount_errors(
        [(p.line_no, p.line_total_minor) for p in priced], buyer.currency
    )
    errors.extend(too_large)
    # Order-level rules need every line priced; otherwise the total would mislead.
    order_level = all_priced and not too_large
    if order_level and request.enforce_terms and buyer.price_list_id is not None:
        errors.extend(
            policies.minimum_order_errors(total, buyer.min_order_value_minor, buyer.currency)
        )
    bins: dict[int, list[Bin]] = {}
    if request.reserve_stock and priced:
        special = {n: line for n, line in enumerate(lines, start=1) if line.fulfilment != "stock"}
        if special:  # preorders lock their batches first (the lock order of receipts)
            priced, more = fulfilment.plan_special(
                session, priced, special, lock=lock and locks_rows(session)
            )
            errors.extend(more)
        region = request.region or buyer.region
        bins = _stock_bins(session, sorted({p.sku_id for p in priced}), region, lock=lock)
        for index, p in enumerate(priced):
            if p.fulfilment == "preorder":
                continue  # nothing from stock now: the batch's units are promised
            have = sum(b.available for b in bins.get(p.sku_id, ()))
            if p.fulfilment == "backorder":
                priced[index] = fulfilment.backordered(p, max(have, 0))
                continue
            if have < p.quantity:
                errors.append(
                    ErrorItem(
                        "insufficient_stock",
                        f"{p.sku_code}: {p.quantity} requested, only {max(have, 0)} available",
                        p.line_no,
                    )
                )
    if order_level and buyer.payment_terms_days is not None and (errors or not credit_later):
        errors.extend(
            policies.credit_errors(
                payment_terms_days=buyer.payment_terms_days,
                credit_limit_minor=buyer.credit_limit_minor,
                open_unpaid_minor=open_unpaid_total(session, buyer),
                order_total_minor=total,
                currency=buyer.currency,
            )
        )
    if errors:
        errors.sort(key=lambda e: (e.line is None, e.line or 0))
        raise DomainError(errors, policies.error_status(errors))
    return priced, total, bins, applied


# The warehouse's rank for the buyer's region rides along (a scalar subquery on the
# primary key of warehouse_regions): the preference costs no statement of its own, and
# the row lock stays on stock_levels alone.
_preference = (
    select(WarehouseRegion.rank)
    .where(
        WarehouseRegion.warehouse_id == _stock.c.warehouse_id,
        WarehouseRegion.region == bindparam("region"),
    )
    .scalar_subquery()
)
_bins_stmt = (
    select(
        _stock.c.sku_id, _stock.c.warehouse_id, _stock.c.on_hand - _stock.c.reserved, _preference
    )
    .where(_stock.c.sku_id.in_(bindparam("sku_ids", expanding=True)))
    .order_by(_stock.c.sku_id, _stock.c.warehouse_id)
)
_bins_locked_stmt = _bins_stmt.with_for_update()


def _stock_bins(
    session: Session, sku_ids: list[int], region: str, *, lock: bool
) -> dict[int, list[Bin]]:
    """Available units per SKU and warehouse, with the warehouse's rank for ``region``;
    with ``lock``, the rows stay locked.

    Rows are locked in (SKU, warehouse) order, the order every use case locks them in.
    """
    locking = lock and locks_rows(session)
    query = _bins_locked_stmt if locking else _bins_stmt
    bins: dict[int, list[Bin]] = {}
    for sku_id, warehouse_id, available, rank in session.connection().execute(
        query, {"sku_ids": sku_ids, "region": region}
    ):
        bins.setdefault(sku_id, []).append(Bin(warehouse_id, int(available), rank))
    return bins
