"""The demo's buying side: suppliers, prices and landed costs, a year of purchase orders,
receipts, lots and inspections; consistent with the services that read them."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

import microbag.models as models
from microbag.catalog.models import Sku, Style
from microbag.db import Database
from microbag.demo.generator import load_demo
from microbag.demo.supplier_profiles import PROFILES
from microbag.inspection.models import Inspection, InspectionDefect
from microbag.inspection.policies import code_letter, judge, lot_plans
from microbag.pricing.models import PriceList, PriceListItem, PriceTier
from microbag.purchasing.models import (
    LOT_STATUSES,
    PO_STATUSES,
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
)
from microbag.rangeplan.service import current_costs
from microbag.scorecards.service import standings
from microbag.stock.models import IncomingStock
from microbag.suppliers.models import Supplier, SupplierCertificate, SupplierPrice
from microbag.suppliers.policies import (
    CERTIFICATE_KINDS,
    validate_certificate,
    validate_price,
    validate_supplier,
)
from microbag.suppliers.service import offers_for_skus, refresh_landed_costs
from microbag.timeutil import as_utc

pytestmark = pytest.mark.db

OPEN = ("sent", "confirmed", "partly_received", "received")


def _today(demo):
    return demo.now.date()


def test_suppliers_where_the_issue_puts_them(demo):
    with demo.db.session() as s:
        suppliers = s.scalars(select(Supplier).order_by(Supplier.code)).all()
    assert len(suppliers) == len(PROFILES) == demo.summary.counts["suppliers"]
    by_country = defaultdict(set)
    for sup in suppliers:
        by_country[sup.country].add(sup.region)
        assert (
            validate_supplier(
                {
                    "code": sup.code,
                    "name": sup.name,
                    "kind": sup.kind,
                    "country": sup.country,
                    "currency": sup.currency,
                    "region": sup.region,
                    "contacts": sup.contacts,
                    "capabilities": sup.capabilities,
                    "monthly_capacity_units": sup.monthly_capacity_units,
                    "default_lead_time_days": sup.default_lead_time_days,
                    "payment_terms": sup.payment_terms,
                    "notes": sup.notes,
                }
            )
            == []
        ), sup.code
        assert sup.contacts and sup.payment_terms and sup.notes
        lead = sup.default_lead_time_days
        expected = {"VN": (45, 60), "IN": (50, 70), "IT": (20, 35), "PT": (25, 40)}
        low, high = expected.get(sup.country, (35, 50))  # China and Hong Kong
        assert low <= lead <= high, (sup.code, lead)
        currencies = {"CN": {"CNY", "USD"}, "HK": {"USD"}, "VN": {"USD"}, "IN": {"INR", "USD"}}
        assert sup.currency in currencies.get(sup.country, {"EUR"}), sup.code
    assert {"Guangdong", "Zhejiang"} <= by_country["CN"]
    assert {"VN", "IN", "IT", "PT", "HK"} <= set(by_country)
    kinds = Counter(sup.kind for sup in suppliers)
    assert kinds["trading_company"] >= 2 and kinds["factory"] >= 10
    assert any(sup.capabilities["odm"] for sup in suppliers)
    assert not all(sup.capabilities["odm"] for sup in suppliers)


def test_certificates_with_warnings_and_real_pdfs(demo):
    today = _today(demo)
    with demo.db.session() as s:
        certs = s.scalars(
            select(SupplierCertificate).options(undefer(SupplierCertificate.data))
        ).all()
    assert len(certs) == demo.summary.counts["supplier_certificates"] >= 14
    assert {c.kind for c in certs} <= set(CERTIFICATE_KINDS)
    assert {"bsci", "iso_9001", "sedex_smeta", "lwg"} <= {c.kind for c in certs}
    expired = [c for c in certs if c.valid_until and c.valid_until < today]
    expiring = [
        c for c in certs if c.valid_until and today <= c.valid_until <= today + timedelta(60)
    ]
    assert len(expired) == 1 and len(expiring) >= 2
    with_file = [c for c in certs if c.data is not None]
    assert 0 < len(with_file) < len(certs)
    for c in certs:
        assert validate_certificate(c.kind, c.issuer, c.reference, c.issued_on, c.valid_until) == []
    for c in with_file:
        assert c.data.startswith(b"%PDF") and c.content_type == "application/pdf"
        assert c.size_bytes == len(c.data) and c.sha256 == hashlib.sha256(c.data).hexdigest()


def test_every_active_sku_has_an_offer_landed_well_below_its_price(demo):
    today = _today(demo)
    with demo.db.session() as s:
        active = dict(s.execute(select(Sku.id, Sku.code).where(Sku.lifecycle == "active")).all())
        drafts = s.scalars(select(Sku.id).where(Sku.lifecycle == "draft")).all()
        offers = offers_for_skus(s, [*active, *drafts], today)
        usd = s.scalar(select(PriceList.id).where(PriceList.name == "Wholesale USD"))
        prices = {
            sku_id: (low, high)
            for sku_id, low, high in s.execute(
                select(
                    PriceListItem.sku_id,
                    func.min(PriceTier.unit_price_minor),
                    func.max(PriceTier.unit_price_minor),
                )
                .join(PriceTier, PriceTier.item_id == PriceListItem.id)
                .where(PriceListItem.price_list_id == usd)
                .group_by(PriceListItem.sku_id)
            )
        }
        costs = current_costs(s, offers, today)
    assert all(offers.get(i) for i in active), [active[i] for i in active if not offers.get(i)]
    assert all(offers.get(i) for i in drafts)  # new colorways can be bought before launch
    per_sku = Counter(len(offers[i]) for i in active)
    assert set(per_sku) <= {1, 2, 3, 4} and per_sku[1] < len(active) and per_sku[2] + per_sku[3]
    for sku_id in active:
        cheapest = offers[sku_id][0]
        # Well below the default list's price, and below its deepest quantity break.
        deepest, first = prices[sku_id]
        assert cheapest.landed_unit_cost_minor < 0.56 * first, active[sku_id]
        assert max(o.landed_unit_cost_minor for o in offers[sku_id]) < deepest, active[sku_id]
        cost = costs[sku_id]
        assert cost.currency == "USD"
        assert (cost.unit_cost_minor, cost.supplier_moq, cost.supplier_case_pack) == (
            cheapest.landed_unit_cost_minor,
            cheapest.moq,
            cheapest.case_pack,
        )


def test_landed_costs_are_what_the_suppliers_service_would_write(demo):
    """One source of truth: refreshing the landed costs from the offers changes nothing."""
    with demo.db.session(write=True) as s:
        assert refresh_landed_costs(s, None, _today(demo)) == 0
        s.rollback()


def test_price_lists_terms_style_prices_and_price_changes(demo):
    with demo.db.session() as s:
        prices = s.scalars(select(SupplierPrice)).all()
        tiers = dict(s.execute(select(Style.id, Style.price_tier)).all())
        sku_style = dict(s.execute(select(Sku.id, Sku.style_id)).all())
        countries = dict(s.execute(select(Supplier.id, Supplier.country)).all())
        currency = dict(s.execute(select(Supplier.id, Supplier.currency)).all())
    assert len(prices) == demo.summary.counts["supplier_prices"]
    for p in prices:
        assert (
            validate_price(
                unit_cost_minor=p.unit_cost_minor,
                currency=p.currency,
                moq=p.moq,
                case_pack=p.case_pack,
                lead_time_days=p.lead_time_days,
                valid_from=p.valid_from,
                valid_until=p.valid_until,
            )
            == []
        )
        assert p.currency == currency[p.supplier_id]
        assert p.case_pack in (1, 2, 3, 6, 10, 12, 20, 24) and p.moq % p.case_pack == 0
        tier = tiers[p.style_id if p.style_id else sku_style[p.sku_id]]
        if tier == "luxury":
            assert countries[p.supplier_id] in ("IT", "PT")
        else:
            assert 50 <= p.moq <= 300
    assert any(p.style_id for p in prices) and any(p.sku_id for p in prices)
    ended = [p for p in prices if p.valid_until is not None]
    assert ended and any(
        q.valid_from == p.valid_until + timedelta(days=1) and q.unit_cost_minor > p.unit_cost_minor
        for p in ended
        for q in prices
        if q.sku_id == p.sku_id and q.supplier_id == p.supplier_id and q.sku_id
    )
    mass_origins = {
        countries[p.supplier_id]
        for p in prices
        if tiers[p.style_id or sku_style[p.sku_id]] == "mass"
    }
    assert mass_origins <= {"CN", "VN", "IN", "HK"}


def test_purchase_orders_a_year_of_believable_states(demo):
    now, today = demo.now, _today(demo)
    with demo.db.session() as s:
        pos = s.scalars(select(PurchaseOrder).order_by(PurchaseOrder.id)).all()
        lines = s.scalars(select(PurchaseOrderLine)).all()
        events = s.scalars(select(PurchaseOrderEvent).order_by(PurchaseOrderEvent.id)).all()
        lots = s.scalars(select(ReceiptLine)).all()
        receipts = {r.id: r for r in s.scalars(select(Receipt))}
        incoming = {i.id: i for i in s.scalars(select(IncomingStock))}
    statuses = Counter(po.status for po in pos)
    assert set(statuses) <= set(PO_STATUSES)
    assert statuses == Counter(demo.summary.purchase_orders_by_status)
    assert statuses["closed"] > len(pos) / 2
    assert statuses["draft"] >= 2 and statuses["sent"] >= 1 and statuses["confirmed"] >= 3
    assert statuses["partly_received"] + statuses["received"] >= 1
    created = [as_utc(po.created_at) for po in pos]
    assert min(created) < now - timedelta(days=300) and max(created) <= now
    numbers = [po.number for po in pos]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"PO-\d{4}-\d{5}", n) for n in numbers)
    by_po = defaultdict(list)
    for ln in lines:
        by_po[ln.po_id].append(ln)
    kinds = defaultdict(list)
    for e in events:
        kinds[e.po_id].append(e.kind)
    lots_of = defaultdict(list)
    for lot in lots:
        lots_of[lot.po_line_id].append(lot)
    for po in pos:
        assert kinds[po.id][0] == "created"
        assert ("sent" in kinds[po.id]) == (po.sent_at is not None)
        assert ("confirmed" in kinds[po.id]) == (po.confirmed_at is not None)
        assert (po.status == "closed") == ("closed" in kinds[po.id]) == (po.closed_at is not None)
        for ln in by_po[po.id]:
            delivered = sum(lot.quantity for lot in lots_of[ln.id])
            assert ln.received_quantity == delivered
            if po.confirmed_at is None:
                assert ln.incoming_id is None and ln.promised_date is None and not delivered
                continue
            assert (
                ln.promised_date is not None and ln.promised_date >= as_utc(po.confirmed_at).date()
            )
            batch = incoming.get(ln.incoming_id) if ln.incoming_id else None
            if po.status in ("confirmed", "partly_received") and ln.received_quantity < ln.quantity:
                # Buyers see the rest as incoming.
                assert batch is not None and batch.received_at is None
                assert batch.quantity == ln.quantity - ln.received_quantity
                assert batch.expected_date == ln.promised_date
            if batch is not None and batch.received_at is not None:
                assert ln.received_quantity >= ln.quantity or po.status == "closed"
        if po.status == "received":
            assert all(ln.received_quantity >= ln.quantity for ln in by_po[po.id])
        if po.status == "closed":
            assert all(
                lot.status in ("accepted", "returned")
                for ln in by_po[po.id]
                for lot in lots_of[ln.id]
            )
    open_batches = [
        i for i in incoming.values() if i.received_at is None and i.note.startswith("PO-")
    ]
    assert open_batches and all(i.expected_date >= today - timedelta(days=60) for i in open_batches)
    assert any("over_delivered" in k for k in kinds.values())
    assert any("under_delivered" in k for k in kinds.values())
    # Late deliveries happen, and so do early ones.
    delays = [
        (as_utc(receipts[lot.receipt_id].received_at).date() - ln.promised_date).days
        for ln in lines
        for lot in lots_of[ln.id]
    ]
    assert min(delays) <= 0 < max(delays)


def test_lots_and_inspections_follow_the_sampling_plans(demo):
    with demo.db.session() as s:
        lots = {lot.id: lot for lot in s.scalars(select(ReceiptLine))}
        inspections = s.scalars(select(Inspection).order_by(Inspection.id)).all()
        defects = s.scalars(select(InspectionDefect)).all()
    statuses = Counter(lot.status for lot in lots.values())
    assert set(statuses) <= set(LOT_STATUSES)
    assert statuses == Counter(demo.summary.lots_by_status)
    assert statuses["pending_inspection"] >= 3 and statuses["quarantined"] >= 1
    assert statuses["returned"] and statuses["accepted"] > 0.8 * len(lots)
    for lot in lots.values():
        assert lot.stocked_quantity == (lot.quantity if lot.status == "accepted" else 0)
    found = defaultdict(Counter)
    for d in defects:
        found[d.inspection_id][d.defect_class] += d.count
    by_lot = defaultdict(list)
    aqls = {"critical": 0.0, "major": 2.5, "minor": 4.0}
    for insp in inspections:
        lot = lots[insp.receipt_line_id]
        by_lot[lot.id].append(insp)
        assert insp.lot_size == lot.quantity and insp.code_letter == code_letter(lot.quantity)
        plans = lot_plans(lot.quantity, aqls)
        assert insp.sample_size == max(p.sample_size for p in plans.values())
        for cls, plan in plans.items():
            stored = insp.plan[cls]
            assert (stored["sample_size"], stored["accept"], stored["reject"]) == (
                plan.sample_size,
                plan.accept,
                plan.reject,
            )
            assert stored["found"] == found[insp.id][cls]
        assert insp.result == judge(plans, {c: insp.plan[c]["found"] for c in plans})
    results = Counter(i.result for i in inspections)
    assert results["accept"] > results["reject"] > 0
    for lot in lots.values():
        history = by_lot.get(lot.id, [])
        if lot.status in ("quarantined", "returned", "rework"):
            assert any(i.result == "reject" for i in history)
        if lot.status == "accepted":
            assert history[-1].result == "accept" or lot.decision == "accept_with_note"
            assert lot.decision_note
        if lot.decision == "accept_with_note":
            assert not any(i.plan["critical"]["found"] for i in history)
    assert any(len(h) == 2 for h in by_lot.values())  # reworked and inspected again


def test_standings_have_a_spread(demo):
    with demo.db.session() as s:
        ids = dict(s.execute(select(Supplier.code, Supplier.id)).all())
        found = standings(s, ids.values(), _today(demo))
    level = {code: found[i].level for code, i in ids.items()}
    assert level["IT-FIRENZE"] in ("excellent", "good")
    assert level["WZ-OUHAI"] in ("poor", "very_poor")
    assert "fair" in level.values() or "poor" in level.values()
    assert "unrated" not in level.values()
    assert len(set(level.values())) >= 3


def test_same_seed_same_sourcing(demo, tmp_path):
    from .conftest import SEED

    def fingerprint(db):
        with db.session() as s:
            return (
                s.execute(
                    select(
                        SupplierPrice.supplier_id,
                        SupplierPrice.sku_id,
                        SupplierPrice.unit_cost_minor,
                    ).order_by(SupplierPrice.id)
                ).all(),
                s.execute(
                    select(
                        PurchaseOrder.number, PurchaseOrder.status, PurchaseOrder.created_at
                    ).order_by(PurchaseOrder.id)
                ).all(),
                s.execute(
                    select(ReceiptLine.quantity, ReceiptLine.status).order_by(ReceiptLine.id)
                ).all(),
                s.execute(
                    select(Inspection.result, Inspection.defect_rate).order_by(Inspection.id)
                ).all(),
            )

    other = Database(f"sqlite:///{tmp_path / 'again.db'}")
    models.Base.metadata.create_all(other.engine)
    try:
        with other.session(write=True) as s:
            load_demo(s, size="small", seed=SEED, now=demo.now)
        assert fingerprint(other) == fingerprint(demo.db)
    finally:
        other.dispose()
