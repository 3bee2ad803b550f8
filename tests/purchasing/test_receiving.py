"""Receipts and lots against the database, including concurrent receipts of one PO."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from microbag.errors import DomainError
from microbag.purchasing import receiving, service
from microbag.purchasing.models import ReceiptLine
from microbag.purchasing.service import DraftLine
from microbag.stock import incoming as incoming_stock
from microbag.stock.models import StockLevel
from microbag.timeutil import utcnow

PROMISED = utcnow().date() + timedelta(days=30)


def codes(exc: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [i.code for i in exc.value.items]


def on_hand(s, sku_id: int, warehouse_id: int) -> int:
    return int(
        s.scalar(
            select(StockLevel.on_hand)
            .where(StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse_id)
            .execution_options(populate_existing=True)
        )
        or 0
    )


def confirmed_po(s, src, *lines: tuple[str, int]) -> int:
    po = service.create_draft(
        s,
        supplier_id=src.supplier,
        lines=[DraftLine(src.skus[c], q) for c, q in lines],
        actor="merch@seller.test",
    )
    service.send(s, po.id, actor="merch@seller.test")
    service.confirm(s, po.id, promised=PROMISED, actor="merch@seller.test")
    return po.id


def test_inspected_lots_wait_then_accepting_stocks_them_once(db, sourcing):
    gld = sourcing.skus["MC-001-GLD"]
    wh = sourcing.warehouse
    with db.session(write=True) as s:
        po_id = confirmed_po(s, sourcing, ("MC-001-GLD", 60))
        before = on_hand(s, gld, wh)
        line = service.get_po(s, po_id).lines[0]
        receipt = receiving.receive(s, po_id, lines=[(line.id, 60)], actor="x", reference="DN-1")
        lots, total = receiving.list_lots(s, po_id=po_id)
        assert total == 1
        lot = lots[0]
        assert (lot.status, lot.quantity, lot.sku_code, lot.warehouse_code) == (
            "pending_inspection",
            60,
            "MC-001-GLD",
            "MAIN",
        )
        assert lot.receipt_id == receipt.id
        assert on_hand(s, gld, wh) == before  # not sellable while it waits
        po = service.get_po(s, po_id)
        assert po.status == "received"
        assert po.received_at is not None
        # the line's incoming batch is settled, not added to on hand a second time
        batch = incoming_stock.get_incoming(s, line.incoming_id)
        assert batch.received_at is not None

        view = receiving.set_lot_status(
            s, lot.id, status="accepted", decision="accept", note="AQL passed", actor="qa"
        )
        assert view.status == "accepted"
        assert on_hand(s, gld, wh) == before + 60
        with pytest.raises(DomainError) as exc:
            receiving.set_lot_status(
                s, lot.id, status="accepted", decision="accept", note="", actor="qa"
            )
        assert codes(exc) == ["lot_state"]
        assert on_hand(s, gld, wh) == before + 60
        kinds = [e.kind for e in service.get_po(s, po_id).events]
        assert kinds[-2:] == ["received", "lot_accepted"]


def test_quarantine_paths(db, sourcing):
    gld = sourcing.skus["MC-001-GLD"]
    wh = sourcing.warehouse
    with db.session(write=True) as s:
        po_id = confirmed_po(s, sourcing, ("MC-001-GLD", 100))
        line_id = service.get_po(s, po_id).lines[0].id
        before = on_hand(s, gld, wh)
        for ref in ("A", "B", "C"):
            receiving.receive(s, po_id, lines=[(line_id, 20)], actor="x", reference=ref)
        lots, _ = receiving.list_lots(s, po_id=po_id)
        a, b, c = sorted(lot.id for lot in lots)
        for lot_id in (a, b, c):
            receiving.set_lot_status(
                s, lot_id, status="quarantined", decision="reject", note="zips", actor="qa"
            )
        with pytest.raises(DomainError) as exc:
            receiving.set_lot_status(
                s, a, status="pending_inspection", decision="", note="", actor="qa"
            )
        assert codes(exc) == ["lot_state"]
        receiving.set_lot_status(
            s, a, status="returned", decision="return_to_supplier", note="", actor="qa"
        )
        receiving.set_lot_status(s, b, status="rework", decision="rework", note="", actor="qa")
        receiving.set_lot_status(
            s, b, status="pending_inspection", decision="reworked", note="", actor="qa"
        )
        assert on_hand(s, gld, wh) == before  # rejected lots never reach sellable stock
        receiving.set_lot_status(
            s, c, status="accepted", decision="accept_with_note", note="minor", actor="qa"
        )
        assert on_hand(s, gld, wh) == before + 20
        assert receiving.get_lot(s, c).decision == "accept_with_note"
        assert receiving.lot_counts(s)["returned"] == 1
        with pytest.raises(DomainError) as exc:
            receiving.get_lot(s, 999_999)
        assert codes(exc) == ["unknown_lot"]


def test_no_inspection_stocks_at_once_and_over_delivery_is_an_event(db, sourcing):
    red = sourcing.skus["MT-001-RED"]
    wh = sourcing.warehouse
    with db.session(write=True) as s:
        po_id = confirmed_po(s, sourcing, ("MC-001-GLD", 50), ("MT-001-RED", 100))
        gld_line, red_line = service.get_po(s, po_id).lines
        before = on_hand(s, red, wh)
        receiving.receive(s, po_id, lines=[(red_line.id, 90)], actor="x", inspect=False)
        assert on_hand(s, red, wh) == before + 90
        assert service.get_po(s, po_id).status == "partly_received"
        receiving.receive(s, po_id, lines=[(red_line.id, 20)], actor="x", inspect=False)
        po = service.get_po(s, po_id)
        over = [e.detail for e in po.events if e.kind == "over_delivered"]
        assert over == [
            {"line": 2, "sku": "MT-001-RED", "ordered": 100, "received": 110, "excess": 10}
        ]
        received = [e.detail for e in po.events if e.kind == "received"]
        assert [ln["delivery"] for ev in received for ln in ev["lines"]] == ["short", "over"]
        assert po.status == "partly_received"  # line 1 has not come yet
        receiving.receive(s, po_id, lines=[(gld_line.id, 50)], actor="x")
        assert service.get_po(s, po_id).status == "received"


def test_a_repeated_reference_is_a_no_op(db, sourcing):
    with db.session(write=True) as s:
        po_id = confirmed_po(s, sourcing, ("MC-001-GLD", 60))
        line_id = service.get_po(s, po_id).lines[0].id
        first = receiving.receive(s, po_id, lines=[(line_id, 30)], actor="x", reference="DN-7")
        again = receiving.receive(s, po_id, lines=[(line_id, 30)], actor="x", reference="DN-7")
        assert again.id == first.id
        assert service.get_po(s, po_id).lines[0].received_quantity == 30
        assert receiving.list_lots(s, po_id=po_id)[1] == 1


def test_bad_receipt_lines(db, sourcing):
    with db.session(write=True) as s:
        po_id = confirmed_po(s, sourcing, ("MC-001-GLD", 60))
        line_id = service.get_po(s, po_id).lines[0].id
        with pytest.raises(DomainError) as exc:
            receiving.receive(s, po_id, lines=[], actor="x")
        assert codes(exc) == ["no_lines"]
        with pytest.raises(DomainError) as exc:
            receiving.receive(s, po_id, lines=[(line_id, 0), (123_456, 5)], actor="x")
        assert codes(exc) == ["invalid_quantity", "unknown_line"]
        with pytest.raises(DomainError) as exc:
            receiving.receive(s, po_id, lines=[(line_id, 5), (line_id, 5)], actor="x")
        assert codes(exc) == ["duplicate_line"]


def test_concurrent_receipts_of_one_po_never_double_count(db, sourcing):
    """8 threads, each with its own unit of work, deliver and accept lots of one PO (some
    repeat a reference): units received on the PO line == units in lots == units added
    to stock on hand."""
    gld = sourcing.skus["MC-001-GLD"]
    wh = sourcing.warehouse
    with db.session(write=True) as s:
        po_id = confirmed_po(s, sourcing, ("MC-001-GLD", 400))
        line_id = service.get_po(s, po_id).lines[0].id
        before = on_hand(s, gld, wh)
    threads_n, per_thread = 8, 3
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_n)

    def work(t: int) -> None:
        try:
            barrier.wait()
            for k in range(per_thread):
                # threads t and t+4 share references: one of each pair is a no-op
                ref = f"DN-{t % 4}-{k}"
                with db.session(write=True) as s:
                    receipt = receiving.receive(
                        s, po_id, lines=[(line_id, 10 + t)], actor=f"t{t}", reference=ref
                    )
                    lot_ids = [ln.id for ln in receipt.lines]
                for lot_id in lot_ids:
                    with db.session(write=True) as s:
                        lot = receiving.get_lot(s, lot_id, lock=True)
                        if lot.status == "pending_inspection":
                            receiving.set_lot_status(
                                s,
                                lot_id,
                                status="accepted",
                                decision="accept",
                                note="",
                                actor=f"t{t}",
                            )
        except BaseException as exc:  # collected and raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(threads_n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors, errors
    with db.session() as s:
        line = service.get_po(s, po_id).lines[0]
        lots_total = s.scalar(
            select(func.sum(ReceiptLine.quantity)).where(ReceiptLine.po_line_id == line_id)
        )
        stocked = s.scalar(
            select(func.sum(ReceiptLine.stocked_quantity)).where(ReceiptLine.po_line_id == line_id)
        )
        assert receiving.list_lots(s, po_id=po_id)[1] == 4 * per_thread
        assert line.received_quantity == lots_total == stocked
        assert on_hand(s, gld, wh) == before + stocked
