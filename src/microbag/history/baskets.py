"""Imported invoices as baskets: the SKUs each invoice held (read only).

For mining what is ordered together (``microbag.bundles``): gross product lines only,
never non-product lines (postage, fees), returns or cancellations.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from microbag.history.models import SalesLine


def imported_basket_lines(session: Session, before: datetime) -> Iterator[tuple[str, str]]:
    """(basket key, SKU code) per distinct product of each imported invoice invoiced
    before ``before``; the key is ``source:invoice`` (sources may reuse numbers)."""
    rows = session.execute(
        select(SalesLine.source, SalesLine.external_invoice, SalesLine.sku_code)
        .where(
            SalesLine.invoiced_at < before,
            SalesLine.quantity > 0,
            SalesLine.is_return == false(),
            SalesLine.is_cancellation == false(),
            SalesLine.is_non_product == false(),
        )
        .distinct()
        .execution_options(yield_per=20_000)
    )
    for source, invoice, sku_code in rows:
        yield f"{source}:{invoice}", sku_code
