"""Purchase order use cases against the database (SQLite, or PostgreSQL when configured)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from microbag.errors import DomainError
from microbag.purchasing import receiving, service
from microbag.purchasing.service import DraftLine
from microbag.scorecards.service import Standing
from microbag.stock import incoming as incoming_stock
from microbag.stock.models import IncomingStock
from microbag.timeutil import utcnow

TODAY = utcnow().date()
PROMISED = TODAY + timedelta(days=40)


def codes(exc: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [i.code for i in exc.value.items]


def make_draft(s, src, *lines: tuple[str, int], **kw):
    return service.create_draft(
        s,
        supplier_id=src.supplier,
        lines=[DraftLine(src.skus[code], qty) for code, qty in lines],
        actor="merch@seller.test",
        **kw,
    )


def test_draft_takes_the_supplier_price_and_a_po_number(db, sourcing):
    with db.session(write=True) as s:
        po = make_draft(s, sourcing, ("MC-001-GLD", 60), ("MT-001-RED", 100))
        assert po.status == "draft"
        assert po.number == f"PO-{TODAY.year}-00001"
        assert po.currency == "USD"
        assert [(ln.sku_code, ln.quantity, ln.unit_cost_minor) for ln in po.lines] == [
            ("MC-001-GLD", 60, 1_200),
            ("MT-001-RED", 100, 850),
        ]
        assert service.total_minor(po) == 60 * 1_200 + 100 * 850
        assert [e.kind for e in po.events] == ["created"]
        second = make_draft(s, sourcing, ("MC-001-GLD", 50))
        assert second.number == f"PO-{TODAY.year}-00002"


def test_moq_case_pack_and_missing_price_are_named_per_line(db, sourcing):
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        make_draft(s, sourcing, ("MC-001-GLD", 40), ("MT-001-RED", 110), ("CB-001-TAN", 10))
    items = exc.value.items
    by_code = {(i.code, i.line) for i in items}
    assert ("below_moq", 1) in by_code
    assert ("not_case_pack_multiple", 2) in by_code
    assert ("no_supplier_price", 3) in by_code
    assert ("not_case_pack_multiple", 1) not in by_code
    assert "MT-001-RED" in next(i.message for i in items if i.line == 2)


def test_empty_duplicate_and_unknown_lines(db, sourcing):
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as exc:
            make_draft(s, sourcing)
        assert codes(exc) == ["no_lines"]
        with pytest.raises(DomainError) as exc:
            make_draft(s, sourcing, ("MC-001-GLD", 50), ("MC-001-GLD", 60))
        assert codes(exc) == ["duplicate_line"]
        with pytest.raises(DomainError) as exc:
            service.create_draft(
                s, supplier_id=sourcing.supplier, lines=[DraftLine(999_999, 50)], actor="x"
            )
        assert codes(exc) == ["unknown_sku"]
        with pytest.raises(DomainError) as exc:
            service.create_draft(s, supplier_id=999_999, lines=[], actor="x")
        assert codes(exc) == ["unknown_supplier"]
        assert exc.value.status == 404


def test_very_poor_supplier_is_blocked_and_poor_warns(db, sourcing, monkeypatch):
    standing = Standing("very_poor", 12.0, "on-time 41% over the last 2 periods")
    monkeypatch.setattr(service, "supplier_standing", lambda s, sid, today: standing)
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        make_draft(s, sourcing, ("MC-001-GLD", 50))
    assert codes(exc) == ["supplier_blocked"]
    assert exc.value.status == 409
    assert "on-time 41%" in exc.value.items[0].message

    standing = Standing("poor", 35.0, "defect rate 6% in the last period")
    with db.session(write=True) as s:
        po = make_draft(s, sourcing, ("MC-001-GLD", 50))
        warning = [e for e in po.events if e.kind == "standing_warning"]
        assert len(warning) == 1
        assert warning[0].detail["reason"] == "defect rate 6% in the last period"


def test_update_draft_replaces_lines_then_refuses_once_sent(db, sourcing):
    with db.session(write=True) as s:
        po = make_draft(s, sourcing, ("MC-001-GLD", 50))
        service.update_draft(
            s,
            po.id,
            actor="merch@seller.test",
            lines=[DraftLine(sourcing.skus["MT-001-RED"], 200, unit_cost_minor=800)],
            notes="rush",
        )
        po = service.get_po(s, po.id)
        assert [(ln.line_no, ln.sku_code, ln.quantity, ln.unit_cost_minor) for ln in po.lines] == [
            (1, "MT-001-RED", 200, 800)
        ]
        assert po.notes == "rush"
        service.send(s, po.id, actor="merch@seller.test")
        with pytest.raises(DomainError) as exc:
            service.update_draft(s, po.id, actor="x", notes="late")
        assert codes(exc) == ["po_state"]


def test_transitions_are_checked(db, sourcing):
    with db.session(write=True) as s:
        po = make_draft(s, sourcing, ("MC-001-GLD", 50))
        with pytest.raises(DomainError) as exc:
            service.confirm(s, po.id, promised=PROMISED, actor="x")
        assert codes(exc) == ["po_state"]
        with pytest.raises(DomainError) as exc:
            service.close(s, po.id, actor="x")
        assert codes(exc) == ["po_state"]
        with pytest.raises(DomainError):
            receiving.receive(s, po.id, lines=[(po.lines[0].id, 10)], actor="x")
        service.send(s, po.id, actor="x")
        with pytest.raises(DomainError) as exc:
            service.send(s, po.id, actor="x")
        assert codes(exc) == ["po_state"]


def test_confirm_creates_incoming_per_line_and_cancel_removes_it(db, sourcing):
    with db.session(write=True) as s:
        po = make_draft(s, sourcing, ("MC-001-GLD", 60), ("MT-001-RED", 100))
        service.send(s, po.id, actor="x")
        first, second = po.lines
        with pytest.raises(DomainError) as exc:
            service.confirm(s, po.id, promised={first.id: PROMISED}, actor="x")
        assert codes(exc) == ["missing_promised_date"]
        with pytest.raises(DomainError) as exc:
            service.confirm(s, po.id, promised=TODAY - timedelta(days=1), actor="x")
        assert set(codes(exc)) == {"promised_date_in_past"}
        later = PROMISED + timedelta(days=7)
        service.confirm(s, po.id, promised={first.id: PROMISED, second.id: later}, actor="x")
        po = service.get_po(s, po.id)
        assert po.status == "confirmed"
        assert po.confirmed_at is not None
        assert [ln.promised_date for ln in po.lines] == [PROMISED, later]
        rows, _total = incoming_stock.list_incoming(s, pending=True)
        mine = {(r.sku, r.quantity, r.expected_date) for r in rows if r.note.startswith(po.number)}
        assert mine == {("MC-001-GLD", 60, PROMISED), ("MT-001-RED", 100, later)}
        assert service.on_order(s, [sourcing.skus["MC-001-GLD"]]) == {
            (sourcing.skus["MC-001-GLD"], sourcing.warehouse): 60
        }
        batch_ids = [ln.incoming_id for ln in po.lines]
        service.cancel(s, po.id, actor="x", reason="supplier closed for the holidays")
        assert s.scalars(select(IncomingStock).where(IncomingStock.id.in_(batch_ids))).all() == []
        po = service.get_po(s, po.id)
        assert po.status == "cancelled"
        assert all(ln.incoming_id is None for ln in po.lines)
        assert service.on_order(s, [sourcing.skus["MC-001-GLD"]]) == {}
        assert po.events[-1].detail["reason"] == "supplier closed for the holidays"


def test_drafts_are_not_on_order_and_close_records_under_delivery(db, sourcing):
    gld = sourcing.skus["MC-001-GLD"]
    with db.session(write=True) as s:
        po = make_draft(s, sourcing, ("MC-001-GLD", 60))
        assert service.on_order(s, [gld]) == {}
        service.send(s, po.id, actor="x")
        service.confirm(s, po.id, promised=PROMISED, actor="x")
        receiving.receive(s, po.id, lines=[(po.lines[0].id, 45)], actor="x", inspect=False)
        assert service.get_po(s, po.id).status == "partly_received"
        assert service.on_order(s, [gld]) == {(gld, sourcing.warehouse): 15}
        with pytest.raises(DomainError) as exc:
            service.cancel(s, po.id, actor="x")
        assert codes(exc) == ["po_state"]
        incoming_id = po.lines[0].incoming_id
        assert incoming_stock.get_incoming(s, incoming_id).quantity == 15
        service.close(s, po.id, actor="x", note="the rest will not come")
        po = service.get_po(s, po.id)
        assert po.status == "closed"
        under = [e.detail for e in po.events if e.kind == "under_delivered"]
        assert under == [
            {"line": 1, "sku": "MC-001-GLD", "ordered": 60, "received": 45, "short": 15}
        ]
        assert service.on_order(s, [gld]) == {}
        with pytest.raises(DomainError):
            incoming_stock.get_incoming(s, incoming_id)


def test_list_filters_by_status_and_supplier(db, sourcing):
    with db.session(write=True) as s:
        a = make_draft(s, sourcing, ("MC-001-GLD", 50))
        make_draft(s, sourcing, ("MC-001-GLD", 60))
        service.send(s, a.id, actor="x")
        sent, total = service.list_pos(s, status="sent")
        assert total == 1 and [p.id for p in sent] == [a.id]
        _, total = service.list_pos(s, supplier_id=sourcing.supplier)
        assert total == 2
        _, total = service.list_pos(s, supplier_id=999)
        assert total == 0
