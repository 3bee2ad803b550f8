"""The demo's drops, through the drops services: one allocated two weeks ago (requested,
its embargo moved into the past as staff may, allocated, its orders confirmed) and one
open for requests until its embargo, ten days ahead. Their SKUs are limited editions in
stock (ordinary SKUs for the allocated one when the history sold its editions out).

Part of ``trade_extras`` (its ``Extras``: savepoints, buyers' principals, dated rows).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from microbag.catalog.models import Sku, Style
from microbag.demo.buyers import CompanyRec
from microbag.drops import allocation as drop_allocation
from microbag.drops import service as drops
from microbag.drops.models import Drop, DropAllocation
from microbag.drops.schemas import DropIn, DropPatch, DropSkuIn, RequestLineIn
from microbag.errors import DomainError
from microbag.orders.models import Order, OrderLine
from microbag.pricing.models import PriceList, PriceListItem

if TYPE_CHECKING:  # trade_extras calls this module
    from microbag.demo.trade_extras import Extras

DAY = timedelta(days=1)


def _drop_skus(x: Extras, taken: set[int], *, ordered: bool) -> list[DropSkuIn]:
    """Two SKUs in stock for a drop, of styles not ``taken`` (theirs are then): limited
    editions within what their styles have left to sell; for a drop not ``ordered`` yet,
    limited editions sold out in the history (whose stock remains); else ordinary SKUs, the
    drop's edition their limit. None if two are not found."""
    sold = dict(
        x.session.execute(
            select(Sku.style_id, func.sum(OrderLine.quantity))
            .join(OrderLine, OrderLine.sku_id == Sku.id)
            .join(Order, Order.id == OrderLine.order_id)
            .join(Style, Style.id == Sku.style_id)
            .where(Order.status != "cancelled", Style.is_limited_edition.is_(True))
            .group_by(Sku.style_id)
        ).all()
    )
    rows = x.session.execute(
        select(Sku.id, Sku.code, Sku.style_id, Style.edition_size)
        .join(Style, Style.id == Sku.style_id)
        .where(Sku.lifecycle == "active")
        .order_by(Sku.id)
    ).all()
    rows = [r for r in rows if x.free.get(r.id, 0) > 0]
    limited = [r for r in rows if r.edition_size is not None]
    ordinary = [r for r in rows if r.edition_size is None]
    x.rng.shuffle(ordinary)
    candidates = [*limited, *ordinary[:100]]
    packs = dict(
        x.session.execute(
            select(PriceListItem.sku_id, func.max(PriceListItem.case_pack))
            .join(PriceList, PriceList.id == PriceListItem.price_list_id)
            .where(PriceList.company_id.is_(None), PriceList.segment.is_(None))
            .where(PriceListItem.sku_id.in_([r.id for r in candidates]))
            .group_by(PriceListItem.sku_id)
        ).all()
    )

    def pick(rows: list[Any], bounded: bool) -> list[DropSkuIn]:
        out: list[DropSkuIn] = []
        left: dict[int, int] = {}  # units the edition has left, per style used here
        for sku_id, code, style_id, edition in rows:
            pack = int(packs.get(sku_id) or 1)
            style_left = left.get(style_id, (edition or 0) - int(sold.get(style_id) or 0))
            units = min(style_left if bounded else 10**6, x.free[sku_id], 20 * pack)
            units = units // pack * pack
            if style_id in taken or units < 4 * pack:
                continue
            left[style_id] = style_left - units
            cap = units // 2 // pack * pack
            out.append(DropSkuIn(sku=code, edition_size=units, buyer_cap=cap, case_pack=pack))
            if len(out) == 2:
                taken.update(left)
                return out
        return []

    return (
        pick(limited, True)
        or (pick(limited, False) if not ordered else [])
        or pick(ordinary[:100], False)
    )


def _request(
    x: Extras, drop: Drop, companies: list[CompanyRec], at: datetime, *, paying: bool
) -> int:
    """Requests of up to four companies (``paying``: only of those with the credit to
    pay for them); how many requested."""
    requested = 0
    for company in companies:
        lines = [
            RequestLineIn(
                sku=s.sku_code, quantity=s.case_pack * x.rng.randint(1, s.buyer_cap // s.case_pack)
            )
            for s in drop.skus
        ]
        if paying:
            buying = x.buying(company, [s.sku_id for s in drop.skus])
            terms = buying.terms if buying else {}
            if buying is None or any(s.sku_id not in terms for s in drop.skus):
                continue
            cost = sum(
                r.quantity * terms[s.sku_id].unit_price(r.quantity)
                for r, s in zip(lines, drop.skus, strict=True)
            )
            if cost > buying.room:
                continue
        when = at + timedelta(hours=3 * requested)
        principal = x.buyer(company)
        if (
            x.attempt(drops.set_requests, x.session, principal, drop.id, lines, now=when)
            is not None
        ):
            requested += 1
        if requested == 4:
            break
    return requested


def _allocated_drop(x: Extras, skus: list[DropSkuIn], companies: list[CompanyRec]) -> Drop:
    """A drop allocated two weeks ago: opened, requested, its embargo moved into the past
    (as staff may), allocated; its orders placed and confirmed."""
    merch, now = x.staff["merch"], x.now
    data = DropIn(
        name="Midnight Gala capsule",
        description="Evening micro bags in a numbered edition, shared fairly.",
        embargo_at=x.clock + DAY,
        segments=["boutique", "ecommerce"],
        skus=skus,
    )
    drop = drops.create_drop(x.session, merch, data)
    drops.open_drop(x.session, merch, drop.id)
    requesters = [c for c in companies if c.segment in data.segments]
    if not _request(x, drop, requesters, now - 25 * DAY, paying=True):
        raise DomainError.single("no_requests", "no company could request")
    embargo = now - 16 * DAY
    drops.update_drop(x.session, merch, drop.id, DropPatch(embargo_at=embargo))
    at = embargo + timedelta(hours=2)
    drop_allocation.allocate(x.session, merch, drop.id, now=at)
    _date_drop(x, drop, now - 30 * DAY)
    for order_id in x.session.scalars(
        select(DropAllocation.order_id)
        .where(DropAllocation.drop_id == drop.id, DropAllocation.order_id.is_not(None))
        .order_by(DropAllocation.order_id)
    ).all():
        if order_id is not None:
            x.stamp(order_id, at, placed=True)
            x.confirm(order_id, at + DAY)
    return drop


def _open_drop(x: Extras, skus: list[DropSkuIn], companies: list[CompanyRec]) -> Drop:
    """A drop open for requests, its embargo ten days ahead; a few companies requested."""
    merch = x.staff["merch"]
    data = DropIn(
        name="Spring nano capsule",
        description="Nano bags in a limited run: request case packs before the embargo.",
        embargo_at=(x.clock + 10 * DAY).replace(hour=10, minute=0, second=0, microsecond=0),
        segments=["boutique", "department_store"],
        skus=skus,
    )
    drop = drops.open_drop(x.session, merch, drops.create_drop(x.session, merch, data).id)
    _date_drop(x, drop, x.now - 2 * DAY)
    store = [c for c in x.people.companies if c.featured and c.segment == "department_store"]
    requesters = store + [c for c in companies if c.segment in data.segments]
    _request(x, drop, requesters, x.now - DAY, paying=False)
    return drop


def _date_drop(x: Extras, drop: Drop, at: datetime) -> None:
    x.session.execute(update(Drop).where(Drop.id == drop.id).values(created_at=at, opened_at=at))


def add_drops(x: Extras, companies: list[CompanyRec]) -> None:
    """The allocated drop and the open one (each skipped if the services refuse it);
    ``companies`` request, in that order."""
    taken: set[int] = set()  # styles in a drop
    if skus := _drop_skus(x, taken, ordered=True):
        x.attempt(_allocated_drop, x, skus, companies)
    if skus := _drop_skus(x, taken, ordered=False):
        x.attempt(_open_drop, x, skus, companies)
