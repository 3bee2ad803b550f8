"""The drop: the fair-share allocation (``drops.policies.fair_share``) turned into
orders, in one transaction.

``allocate`` locks the drop's row first, so two allocations at once allocate once: the
second waits for the first's commit, then finds the drop allocated (409). Each
company's order is placed through ``orders.service.place_order`` as the user who last
set its request, at the drop's unit price when the drop has one in the company's
currency (else its price list's), without MOQ or minimum order value (the drop's case
packs rule), with the drop's id so the order gate lets the drop's SKUs through.

When one company's order fails (credit, stock, an inactive account...), it is placed
in a savepoint: only that savepoint rolls back, the company's outcome is recorded as
``failed`` with the reason, and every other company's order stands. Its units are not
shared again (a staff decision: order them for another buyer or close the drop).
Every requester is told (notification ``drop_allocated``), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import false, func, select
from sqlalchemy.orm import Session

from microbag.accounts import service as accounts
from microbag.accounts.principal import Principal
from microbag.buyers import service as buyers
from microbag.config import get_settings
from microbag.drops import policies
from microbag.drops.models import Drop, DropAllocation, DropRequest
from microbag.drops.policies import Share
from microbag.drops.service import get_drop
from microbag.errors import DomainError, Forbidden
from microbag.history import service as history
from microbag.money import minor_digits
from microbag.notifications import service as notifications
from microbag.orders import service as orders
from microbag.orders.schemas import OrderLineIn
from microbag.timeutil import as_utc, utcnow


def purchase_weights(session: Session, company_ids: Sequence[int], now: datetime) -> dict[int, int]:
    """Each company's purchases over the last 12 months (placed or later orders, not
    cancelled), in the base currency's minor units at the configured FX rates (a
    currency without a rate counts as nothing). Read from the history's own-order facts."""
    if not company_ids:
        return {}
    settings = get_settings()
    base = settings.base_currency
    own = history.fact_branches()[1].subquery()
    since = now - timedelta(days=policies.HISTORY_DAYS)
    rows = session.execute(
        select(
            own.c.customer_ref,
            own.c.currency,
            func.sum(own.c.quantity * own.c.unit_price_minor),
        )
        .where(
            own.c.customer_ref.in_([str(c) for c in company_ids]),
            own.c.at >= since,
            own.c.is_cancellation == false(),
        )
        .group_by(own.c.customer_ref, own.c.currency)
    )
    weights = {c: 0 for c in company_ids}
    for ref, currency, amount in rows:
        rate = settings.fx_rates.get(currency)
        if rate is None or amount is None:
            continue
        weights[int(ref)] += policies.to_base_minor(
            int(amount),
            currency,
            digits=minor_digits(currency),
            base_digits=minor_digits(base),
            rate=rate,
        )
    return weights


@dataclass(frozen=True)
class Outcome:
    company_id: int
    status: str  # ordered | failed | none
    order_id: int | None
    units: int
    reason: str


def shares(session: Session, drop: Drop, now: datetime) -> list[Share]:
    """The fair shares of every request (nothing written: the preview)."""
    requests = session.scalars(select(DropRequest).where(DropRequest.drop_id == drop.id)).all()
    code_of = {line.id: line.sku_code for line in drop.skus}
    asked: dict[str, dict[int, int]] = {}
    for r in requests:
        asked.setdefault(code_of[r.drop_sku_id], {})[r.company_id] = r.quantity
    weights = purchase_weights(session, sorted({r.company_id for r in requests}), now)
    skus = [(line.sku_code, line.edition_size, line.case_pack) for line in drop.skus]
    return policies.shares_for_skus(skus, asked, weights)


def preview(session: Session, principal: Principal, drop_id: int) -> list[Share]:
    if not principal.is_staff:
        raise Forbidden("this action is for the seller's staff")
    drop = get_drop(session, principal, drop_id)
    return shares(session, drop, utcnow())


def _place(
    session: Session, drop: Drop, company_id: int, user_id: int, lines: list[tuple[str, int]]
) -> Outcome:
    units = sum(q for _, q in lines)
    user = accounts.get_user(session, user_id)
    if not user.is_active or user.company_id != company_id:
        return Outcome(company_id, "failed", None, units, "the requesting user is no longer active")
    company = buyers.get_company(session, company_id)
    prices = {}
    if drop.currency is not None and drop.currency == company.currency:
        prices = {
            line.sku_code: int(line.unit_price_minor)
            for line in drop.skus
            if line.unit_price_minor is not None
        }
    try:
        with session.begin_nested():
            order, _created = orders.place_order(
                session,
                accounts.principal_of(user),
                [OrderLineIn(sku=code, quantity=q) for code, q in lines],
                unit_prices=prices,
                enforce_terms=False,
                drop_id=drop.id,
            )
    except DomainError as exc:
        reason = "; ".join(f"{e.code}: {e.message}" for e in exc.items)
        return Outcome(company_id, "failed", None, units, reason[:2000])
    return Outcome(company_id, "ordered", order.id, units, "")


def allocate(
    session: Session, principal: Principal, drop_id: int, *, now: datetime | None = None
) -> tuple[list[Share], list[Outcome]]:
    """Allocate the drop (staff: admin, merchandiser), place the orders, tell the buyers."""
    if not principal.is_staff or principal.role not in policies.MANAGE_ROLES:
        raise Forbidden("only admins and merchandisers allocate drops")
    now = as_utc(now or utcnow())
    drop = get_drop(session, principal, drop_id, lock=True)  # serializes allocations
    if (err := policies.check_allocatable(drop.status, as_utc(drop.embargo_at), now)) is not None:
        raise DomainError(err, 409)
    lines = shares(session, drop, now)
    drop.status = policies.ALLOCATED
    drop.allocated_at = now
    drop.allocated_by = principal.email
    requests = session.scalars(select(DropRequest).where(DropRequest.drop_id == drop.id)).all()
    code_of = {line.id: line.sku_code for line in drop.skus}
    given = {(s.company_id, s.sku_code): s.allocated for s in lines}
    for r in requests:
        r.allocated = given.get((r.company_id, code_of[r.drop_sku_id]), 0)
    session.flush()
    outcomes: list[Outcome] = []
    for company_id in sorted({r.company_id for r in requests}):
        mine = [r for r in requests if r.company_id == company_id]
        ordered = [(code_of[r.drop_sku_id], r.allocated or 0) for r in mine if r.allocated]
        if not ordered:
            outcome = Outcome(company_id, "none", None, 0, "the edition ran out")
        else:
            user_id = max(mine, key=lambda r: (as_utc(r.updated_at), r.id)).user_id
            outcome = _place(session, drop, company_id, user_id, sorted(ordered))
        weight = next((s.weight_minor for s in lines if s.company_id == company_id), 0)
        session.add(
            DropAllocation(
                drop_id=drop.id,
                company_id=company_id,
                status=outcome.status,
                order_id=outcome.order_id,
                units=outcome.units,
                weight_minor=weight,
                reason=outcome.reason,
                created_at=now,
            )
        )
        notifications.notify_company(
            session,
            company_id=company_id,
            kind="drop_allocated",
            context={
                "drop_id": drop.id,
                "drop_name": drop.name,
                "order_id": outcome.order_id or 0,
                "order_number": str(outcome.order_id) if outcome.order_id else "",
                "lines": [
                    {
                        "sku": code_of[r.drop_sku_id],
                        "requested": r.quantity,
                        "allocated": (r.allocated or 0) if outcome.status == "ordered" else 0,
                    }
                    for r in mine
                ],
            },
        )
        outcomes.append(outcome)
    session.flush()
    return lines, outcomes
