"""microbag's own orders as baskets: the SKUs each order held (read only).

For mining what is ordered together (``microbag.bundles``): placed or later orders,
never drafts or cancelled ones, counted from when they were placed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microbag.orders.models import Order, OrderLine
from microbag.orders.policies import OPEN_STATUSES


def order_basket_lines(session: Session, before: datetime) -> Iterator[tuple[str, str]]:
    """(basket key ``order:<id>``, SKU code) per line of each order placed before
    ``before``."""
    rows = session.execute(
        select(Order.id, OrderLine.sku_code)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(
            Order.status.in_(sorted(OPEN_STATUSES)),
            func.coalesce(Order.placed_at, Order.created_at) < before,
        )
        .execution_options(yield_per=20_000)
    )
    for order_id, sku_code in rows:
        yield f"order:{order_id}", sku_code
