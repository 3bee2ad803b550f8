"""Reading stored outside signals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microbag.signals.models import SignalPoint


@dataclass
class SignalFilters:
    source: str | None = None
    metric: str | None = None
    attribute: str | None = None
    term: str | None = None
    region: str | None = None
    since: date | None = None
    until: date | None = None  # exclusive


def list_signals(
    session: Session, filters: SignalFilters, *, offset: int = 0, limit: int = 50
) -> tuple[list[SignalPoint], int]:
    """Points matching the filters, by source, metric, attribute, term, region and date."""
    conds = []
    for name in ("source", "metric", "attribute", "term", "region"):
        wanted = getattr(filters, name)
        if wanted is not None:
            conds.append(getattr(SignalPoint, name) == wanted)
    if filters.since is not None:
        conds.append(SignalPoint.period_start >= filters.since)
    if filters.until is not None:
        conds.append(SignalPoint.period_start < filters.until)
    total = session.execute(
        select(func.count()).select_from(SignalPoint).where(*conds)
    ).scalar_one()
    points = session.scalars(
        select(SignalPoint)
        .where(*conds)
        .order_by(
            SignalPoint.source,
            SignalPoint.metric,
            SignalPoint.attribute,
            SignalPoint.term,
            SignalPoint.region,
            SignalPoint.period_start,
        )
        .offset(offset)
        .limit(limit)
    )
    return list(points), int(total)


def signal_sources(session: Session) -> list[tuple[str, str, int]]:
    """(source, metric, number of points) for every stored series family."""
    rows = session.execute(
        select(SignalPoint.source, SignalPoint.metric, func.count())
        .group_by(SignalPoint.source, SignalPoint.metric)
        .order_by(SignalPoint.source, SignalPoint.metric)
    )
    return [(s, m, int(n)) for s, m, n in rows]
