"""What may stop a company ordering a SKU beyond price, terms and stock.

Skeleton (issue 11): h5 (drops) fills ``check_orderable`` with the drops' embargoes and
eligibility; issue 13 will add compliance. Placement calls it once per order with every
ordered SKU id (orders.placement.check), so it must cost one indexed query at most.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from microbag.errors import ErrorItem


def check_orderable(
    session: Session,
    company_id: int,
    sku_ids: Collection[int],
    now: datetime,
    *,
    drop_id: int | None = None,
) -> dict[int, ErrorItem]:
    """Per SKU id that may not be ordered now, the error to report for its line
    (codes such as ``drop_embargo``). ``drop_id``: the drop's own allocation is placing
    the order, so that drop's SKUs pass."""
    return {}
