"""Use cases of supplier scorecards: the record read from purchase orders, lots,
inspections, certificates, capabilities and prices; scorecards per period; standings
(purchasing asks ``standing_for`` before a new purchase order); rankings by TOPSIS.

Everything is computed from the record on each call (nothing typed in, nothing stored):
one set of queries per call whatever the number of suppliers. Never commits.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from microbag.catalog.models import Sku, Style
from microbag.config import get_settings
from microbag.errors import NotFound
from microbag.inspection.models import Inspection, InspectionDefect
from microbag.knowledge.service import effective_knowledge
from microbag.purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine
from microbag.scorecards import policies
from microbag.scorecards.policies import (
    CertificateFact,
    ConfirmationFact,
    InspectionFact,
    LineFact,
    Period,
    Record,
    RecordMetrics,
)
from microbag.suppliers.models import Supplier, SupplierCertificate, SupplierPrice
from microbag.suppliers.service import offers_for_skus
from microbag.timeutil import utcnow

# The standing looks at a year of quarters (older periods have faded below a quarter).
STANDING_PERIODS = 4
PERIOD_KIND = "quarter"
# Lots whose units are not judged yet: their line's in-full is not final.
_UNJUDGED = ("pending_inspection", "rework")
_CLOSED_PO = ("received", "closed")


@dataclass(frozen=True)
class Standing:
    level: str  # excellent | good | fair | poor | very_poor | unrated
    score: float | None  # 0..100
    reason: str  # plain words, e.g. "score 27: on-time 41% ... pulled it down ..."

    @property
    def blocks(self) -> bool:
        return self.level == "very_poor"

    @property
    def warns(self) -> bool:
        return self.level == "poor"


@dataclass(frozen=True)
class PeriodFigures:
    period: Period
    weight: float
    metrics: RecordMetrics
    scores: dict[str, float | None]


@dataclass(frozen=True)
class Scorecard:
    supplier_id: int
    code: str
    name: str
    country: str
    kind: str
    active: bool
    capacity_units: int
    default_lead_time_days: int
    periods: list[PeriodFigures]  # oldest first
    values: dict[str, float | None]  # faded record metrics + today's state metrics (raw)
    scores: dict[str, float | None]  # 0..100 per metric
    weights: dict[str, float]  # per metric, from the knowledge's supplier criteria
    standing: Standing
    delivered_lines: int
    units_inspected: int
    valid_certificate_kinds: int
    lapsed_certificate_kinds: int
    capabilities: dict[str, Any] = field(default_factory=dict)


# ---- reading the record ------------------------------------------------------------------


@dataclass
class _Loaded:
    suppliers: dict[int, Supplier]
    records: dict[int, Record]
    certificates: dict[int, list[CertificateFact]]
    price_ratios: dict[int, float | None]


def _day(at: datetime) -> date:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).date()


def _line_facts(
    session: Session, ids: list[int], floor: datetime
) -> tuple[dict[int, list[LineFact]], dict[int, list[ConfirmationFact]]]:
    po_filter = (
        PurchaseOrder.supplier_id.in_(ids),
        PurchaseOrder.status.notin_(("draft",)),
        or_(
            PurchaseOrder.sent_at >= floor,
            PurchaseOrder.created_at >= floor,
            PurchaseOrder.status.in_(("sent", "confirmed", "partly_received")),
        ),
    )
    lines = session.execute(
        select(
            PurchaseOrderLine.id,
            PurchaseOrderLine.quantity,
            PurchaseOrderLine.promised_date,
            PurchaseOrder.id,
            PurchaseOrder.supplier_id,
            PurchaseOrder.status,
            PurchaseOrder.sent_at,
            PurchaseOrder.confirmed_at,
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.po_id)
        .where(*po_filter)
    )
    lots: dict[int, list[tuple[datetime, int, str]]] = defaultdict(list)
    for line_id, qty, status, at in session.execute(
        select(
            ReceiptLine.po_line_id, ReceiptLine.quantity, ReceiptLine.status, Receipt.received_at
        )
        .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == ReceiptLine.po_line_id)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.po_id)
        .where(*po_filter)
    ):
        lots[line_id].append((at, qty, status))
    by_supplier: dict[int, list[LineFact]] = defaultdict(list)
    confirmations: dict[int, dict[int, ConfirmationFact]] = defaultdict(dict)
    for line_id, ordered, promised, po_id, sid, po_status, sent, confirmed in lines:
        if sent is not None and (confirmed is not None or po_status != "cancelled"):
            confirmations[sid][po_id] = ConfirmationFact(sent, confirmed)
        if po_status == "cancelled":
            continue
        deliveries = sorted(lots.get(line_id, []), key=lambda d: d[0])
        delivered_on = None
        total = 0
        for at, qty, _ in deliveries:
            total += qty
            if total >= ordered and delivered_on is None:
                delivered_on = _day(at)
        closed = po_status in _CLOSED_PO
        if delivered_on is None and closed and deliveries:
            delivered_on = _day(deliveries[-1][0])
        settled = (
            bool(deliveries)
            and (total >= ordered or closed)
            and all(s not in _UNJUDGED for _, _, s in deliveries)
        ) or (closed and not deliveries)
        accepted = sum(q for _, q, s in deliveries if s == "accepted")
        by_supplier[sid].append(LineFact(ordered, promised, delivered_on, accepted, settled))
    return by_supplier, {sid: list(c.values()) for sid, c in confirmations.items()}


def _inspection_facts(
    session: Session, ids: list[int], floor: datetime
) -> dict[int, list[InspectionFact]]:
    defective = (
        select(InspectionDefect.inspection_id, func.sum(InspectionDefect.count).label("n"))
        .group_by(InspectionDefect.inspection_id)
        .subquery()
    )
    out: dict[int, list[InspectionFact]] = defaultdict(list)
    for sid, at, sample, n in session.execute(
        select(
            PurchaseOrder.supplier_id,
            Inspection.inspected_at,
            Inspection.sample_size,
            defective.c.n,
        )
        .join(ReceiptLine, ReceiptLine.id == Inspection.receipt_line_id)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == ReceiptLine.po_line_id)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.po_id)
        .outerjoin(defective, defective.c.inspection_id == Inspection.id)
        .where(PurchaseOrder.supplier_id.in_(ids), Inspection.inspected_at >= floor)
    ):
        out[sid].append(InspectionFact(_day(at), int(sample), int(n or 0)))
    return out


def _price_ratios(session: Session, ids: list[int], today: date) -> dict[int, float | None]:
    """Per supplier: mean over the SKUs it offers today of its landed unit cost divided by
    the median of the other suppliers' for the same SKU (None: nobody else offers them)."""
    valid = (
        SupplierPrice.supplier_id.in_(ids),
        SupplierPrice.valid_from <= today,
        or_(SupplierPrice.valid_until.is_(None), SupplierPrice.valid_until >= today),
    )
    sku_ids = set(session.scalars(select(SupplierPrice.sku_id).where(*valid).distinct()))
    sku_ids.discard(None)
    styles = select(SupplierPrice.style_id).where(*valid, SupplierPrice.style_id.is_not(None))
    sku_ids.update(session.scalars(select(Sku.id).where(Sku.style_id.in_(styles))))
    if not sku_ids:
        return {}
    own: dict[int, list[int]] = defaultdict(list)
    medians: dict[int, list[float]] = defaultdict(list)
    wanted = set(ids)
    for offers in offers_for_skus(session, [i for i in sku_ids if i is not None], today).values():
        for offer in offers:
            if offer.supplier_id not in wanted:
                continue
            others = [
                o.landed_unit_cost_minor for o in offers if o.supplier_id != offer.supplier_id
            ]
            if others:
                own[offer.supplier_id].append(offer.landed_unit_cost_minor)
                medians[offer.supplier_id].append(float(statistics.median(others)))
    return {sid: policies.price_ratio(own[sid], medians[sid]) for sid in own}


def _load(
    session: Session, supplier_ids: Iterable[int] | None, start: date, today: date
) -> _Loaded:
    query = select(Supplier).order_by(Supplier.code)
    if supplier_ids is not None:
        query = query.where(Supplier.id.in_(set(supplier_ids)))
    suppliers = {s.id: s for s in session.scalars(query)}
    ids = list(suppliers)
    if not ids:
        return _Loaded({}, {}, {}, {})
    # Lines delivered in the window may belong to orders sent up to a year before it.
    floor = datetime.combine(start - timedelta(days=366), time.min, tzinfo=UTC)
    lines, confirmations = _line_facts(session, ids, floor)
    inspections = _inspection_facts(session, ids, datetime.combine(start, time.min, tzinfo=UTC))
    certificates: dict[int, list[CertificateFact]] = defaultdict(list)
    for sid, kind, until in session.execute(
        select(
            SupplierCertificate.supplier_id,
            SupplierCertificate.kind,
            SupplierCertificate.valid_until,
        ).where(SupplierCertificate.supplier_id.in_(ids))
    ):
        certificates[sid].append(CertificateFact(kind, until))
    records = {
        sid: Record(
            tuple(lines.get(sid, ())),
            tuple(inspections.get(sid, ())),
            tuple(confirmations.get(sid, ())),
        )
        for sid in ids
    }
    return _Loaded(suppliers, records, dict(certificates), _price_ratios(session, ids, today))


# ---- scorecards and standings ------------------------------------------------------------


def criterion_weights(
    session: Session, overrides: Mapping[str, float] | None = None
) -> dict[str, float]:
    """The supplier criteria's weights from the effective knowledge (staff edits apply),
    with ``overrides`` (criterion -> weight) laid over them."""
    criteria = effective_knowledge(session).supplier_criteria()
    weights = {key: c.weight for key, c in criteria.items()}
    weights.update(overrides or {})
    return weights


def _measured(m: RecordMetrics) -> bool:
    return bool(m.delivered_lines or m.lines_due or m.units_inspected) or (
        m.response_hours is not None
    )


def _scorecards(
    session: Session,
    supplier_ids: Iterable[int] | None,
    today: date | None,
    periods: int,
    kind: str = PERIOD_KIND,
) -> list[Scorecard]:
    now = utcnow()
    day = today or now.date()
    if today is not None and today != now.date():
        now = datetime.combine(today, time(23, 59, 59), tzinfo=UTC)
    spans = policies.periods_until(day, periods, kind)
    half_life = get_settings().scorecard_half_life_days
    faded = [policies.period_weight(p, day, half_life) for p in spans]
    loaded = _load(session, supplier_ids, spans[0].start, day)
    weights = policies.metric_weights(criterion_weights(session))
    out = []
    for sid, supplier in loaded.suppliers.items():
        record = loaded.records[sid]
        per_period = []
        for period, weight in zip(spans, faded, strict=True):
            m = policies.record_metrics(record, [period], [1.0], day, now)
            scores = {k: policies.metric_score(k, v) for k, v in m.raw().items()}
            per_period.append(PeriodFigures(period, weight, m, scores))
        overall = policies.record_metrics(record, spans, faded, day, now)
        valid, lapsed = policies.certificate_counts(loaded.certificates.get(sid, ()), day)
        values: dict[str, float | None] = {
            **overall.raw(),
            "price": loaded.price_ratios.get(sid),
            "customization": policies.customization_score(supplier.capabilities or {}),
            "certifications": policies.certificate_score(valid, lapsed),
        }
        with_record = sum(1 for f in per_period if _measured(f.metrics))
        verdict = policies.verdict(
            values,
            weights,
            delivered_lines=overall.delivered_lines,
            periods_with_record=max(1, with_record),
            notes={
                "certifications": policies.certificate_words(valid, lapsed),
                "customization": policies.customization_words(supplier.capabilities or {}),
            },
        )
        out.append(
            Scorecard(
                supplier_id=sid,
                code=supplier.code,
                name=supplier.name,
                country=supplier.country,
                kind=supplier.kind,
                active=supplier.active,
                capacity_units=supplier.monthly_capacity_units,
                default_lead_time_days=supplier.default_lead_time_days,
                periods=per_period,
                values=values,
                scores={k: policies.metric_score(k, v) for k, v in values.items()},
                weights=weights,
                standing=Standing(verdict.level, verdict.score, verdict.reason),
                delivered_lines=overall.delivered_lines,
                units_inspected=overall.units_inspected,
                valid_certificate_kinds=valid,
                lapsed_certificate_kinds=lapsed,
                capabilities=dict(supplier.capabilities or {}),
            )
        )
    return out


def scorecards(
    session: Session,
    today: date | None = None,
    periods: int = STANDING_PERIODS,
    *,
    supplier_ids: Iterable[int] | None = None,
    kind: str = PERIOD_KIND,
) -> list[Scorecard]:
    """One scorecard per supplier (by code): metric values per period, faded overall
    values and scores, and the standing."""
    return _scorecards(session, supplier_ids, today, periods, kind)


def standings(
    session: Session, supplier_ids: Iterable[int], today: date | None = None
) -> dict[int, Standing]:
    """Standings of these suppliers (an unknown id: unrated, no record)."""
    ids = list(supplier_ids)
    found = {c.supplier_id: c.standing for c in _scorecards(session, ids, today, STANDING_PERIODS)}
    none = Standing("unrated", None, "no record: unknown supplier")
    return {sid: found.get(sid, none) for sid in ids}


def standing_for(session: Session, supplier_id: int, today: date | None = None) -> Standing:
    """A supplier's standing: very_poor blocks new purchase orders, poor warns."""
    return standings(session, [supplier_id], today)[supplier_id]


# ---- what a ranking is for (read here: this module may read the catalog's tables) --------


def target_sku_ids(session: Session, *, sku: str | None, style: str | None) -> list[int] | None:
    """The SKU ids a ranking is for: one SKU, a style's SKUs, or None (no SKU target)."""
    if sku:
        sku_id = session.scalar(select(Sku.id).where(Sku.code == sku))
        if sku_id is None:
            raise NotFound(f"SKU {sku}", "unknown_sku")
        return [int(sku_id)]
    if style:
        style_id = session.scalar(select(Style.id).where(Style.code == style))
        if style_id is None:
            raise NotFound(f"style {style}", "unknown_style")
        return list(session.scalars(select(Sku.id).where(Sku.style_id == style_id)))
    return None


def active_supplier_ids(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(Supplier.id).where(Supplier.active.is_(True)).order_by(Supplier.code)
        )
    )
