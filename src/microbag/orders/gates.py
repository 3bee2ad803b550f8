"""What may stop a company ordering a SKU beyond price, terms and stock.

Limited-edition drops (issue 11, h5): a SKU of a drop that is not closed cannot be
ordered before the drop has been allocated (``drop_embargo``: the embargo, then the
allocation, come first), except by that drop's own allocation (``drop_id``); once
allocated, only eligible companies may order what is left (``drop_not_eligible``).
The rules are ``drops.policies.gate_error``. Issue 13 will add compliance here.

Placement asks ``held_by_a_drop`` per SKU in its facts statement and calls
``check_orderable`` only with the SKUs a drop holds: an order of other SKUs costs no
statement here; the company's segment and region are read only when one is held.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, Exists, exists, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from microbag.buyers import service as buyers
from microbag.drops.models import Drop, DropSku
from microbag.drops.policies import CLOSED, HeldSku, gate_error
from microbag.errors import ErrorItem
from microbag.timeutil import as_utc


def held_by_a_drop(sku_id: ColumnElement[int] | InstrumentedAttribute[int]) -> Exists:
    """Whether a drop that is not closed holds the SKU: a column for placement's facts
    statement, so that an order of SKUs no drop holds costs no statement here."""
    return (
        exists()
        .where(DropSku.sku_id == sku_id, Drop.id == DropSku.drop_id, Drop.status != CLOSED)
        .correlate_except(DropSku, Drop)
    )


def held_skus(session: Session, sku_ids: Collection[int]) -> list[HeldSku]:
    """The SKUs among ``sku_ids`` that a drop which is not closed holds."""
    if not sku_ids:
        return []
    rows = session.execute(
        select(
            DropSku.sku_id,
            DropSku.sku_code,
            Drop.id,
            Drop.status,
            Drop.embargo_at,
            Drop.segments,
            Drop.regions,
            Drop.company_ids,
        )
        .join(Drop, Drop.id == DropSku.drop_id)
        .where(DropSku.sku_id.in_(list(sku_ids)), Drop.status != CLOSED)
    )
    return [
        HeldSku(
            sku_id=sku_id,
            sku_code=code,
            drop_id=drop_id,
            status=status,
            embargo_at=as_utc(embargo),
            segments=list(segments or []),
            regions=list(regions or []),
            company_ids=[int(c) for c in company_ids or []],
        )
        for sku_id, code, drop_id, status, embargo, segments, regions, company_ids in rows
    ]


def check_orderable(
    session: Session,
    company_id: int,
    sku_ids: Collection[int],
    now: datetime,
    *,
    drop_id: int | None = None,
) -> dict[int, ErrorItem]:
    """Per SKU id that may not be ordered now, the error to report for its line
    (codes ``drop_embargo``, ``drop_not_eligible``). ``drop_id``: the drop's own
    allocation is placing the order, so that drop's SKUs pass."""
    held = held_skus(session, sku_ids)
    if not held:
        return {}
    company = buyers.get_company(session, company_id)
    errors: dict[int, ErrorItem] = {}
    for sku in held:
        error = gate_error(
            sku,
            company_id=company_id,
            segment=company.segment,
            region=company.region,
            now=as_utc(now),
            drop_id=drop_id,
        )
        if error is not None and sku.sku_id not in errors:
            errors[sku.sku_id] = error
    return errors
