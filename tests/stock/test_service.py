"""Stock use cases against the database (SQLite, or PostgreSQL when configured)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from microbag.errors import DomainError
from microbag.orders.models import Order, OrderAllocation, OrderLine
from microbag.stock import incoming as incoming_stock
from microbag.stock import service
from microbag.stock.models import IncomingStock, StockLevel
from microbag.timeutil import utcnow

TODAY = date(2030, 1, 1)


def level(s, sku_id: int, warehouse_id: int) -> StockLevel:
    return s.scalars(
        select(StockLevel)
        .where(StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse_id)
        .execution_options(populate_existing=True)
    ).one()


def error_codes(exc: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [i.code for i in exc.value.items]


# ---- the lead's primitives ----------------------------------------------------------------


def test_reserve_release_ship_keep_the_counts(db, world):
    sku = world.skus["MC-001-GLD"]
    with db.session(write=True) as s:
        plan = service.reserve(s, sku, 30, sku_code="MC-001-GLD")
        assert plan == [(world.warehouse, 30)]
        assert service.available_by_sku(s, [sku]) == {sku: 70}
        service.release(s, sku, [(world.warehouse, 10)])
        assert service.available_by_sku(s, [sku]) == {sku: 80}
        service.ship(s, sku, [(world.warehouse, 20)])
        row = level(s, sku, world.warehouse)
        assert (row.on_hand, row.reserved) == (80, 0)


def test_reserve_more_than_available_is_409_and_names_the_sku(db, world):
    sku = world.skus["MC-001-GLD"]
    with db.session(write=True) as s, pytest.raises(DomainError) as exc:
        service.reserve(s, sku, 101, sku_code="MC-001-GLD", line=2)
    assert exc.value.status == 409
    (item,) = exc.value.items
    assert item.code == "insufficient_stock" and item.line == 2
    assert "MC-001-GLD" in item.message and "100" in item.message


def test_reserve_spreads_over_warehouses(db, world):
    sku = world.skus["MC-001-GLD"]
    with db.session(write=True) as s:
        east = service.create_warehouse(s, code="EAST", name="East", country="US")
        service.set_on_hand(s, sku, east.id, 50)
        plan = service.reserve(s, sku, 120)
        assert sorted(plan) == sorted([(world.warehouse, 100), (east.id, 20)])
        assert service.available_by_sku(s, [sku, 999_999]) == {sku: 30, 999_999: 0}


def test_reserve_rows_reserves_planned_rows_in_one_call(db, world):
    gld, blk = world.skus["MC-001-GLD"], world.skus["MC-001-BLK"]
    with db.session(write=True) as s:
        east = service.create_warehouse(s, code="EAST", name="East", country="US")
        service.set_on_hand(s, gld, east.id, 50)
        s.flush()
        assert service.reserve_rows(s, [(gld, east.id, 20), (blk, world.warehouse, 7)])
        assert service.reserve_rows(s, [])
    with db.session() as s:
        assert (level(s, gld, east.id).reserved, level(s, blk, world.warehouse).reserved) == (20, 7)
        assert level(s, gld, world.warehouse).reserved == 0


def test_reserve_rows_reports_a_row_without_its_units(db, world):
    gld, blk = world.skus["MC-001-GLD"], world.skus["MC-001-BLK"]
    with db.session(write=True) as s:
        # GLD has 100 on hand: 101 cannot be reserved; the caller rolls the rest back.
        assert not service.reserve_rows(s, [(blk, world.warehouse, 5), (gld, world.warehouse, 101)])
        assert level(s, gld, world.warehouse).reserved == 0


def test_set_on_hand_sees_reservations_made_in_the_same_session(db, world):
    """The check uses the current reserved count, not a stale copy in the session."""
    sku = world.skus["MT-001-RED"]
    with db.session(write=True) as s:
        # Holding the row keeps it in the session's identity map across the calls.
        kept = service.set_on_hand(s, sku, world.warehouse, 10)
        service.reserve(s, sku, 8)
        with pytest.raises(DomainError) as exc:
            service.set_on_hand(s, sku, world.warehouse, 5)
        assert error_codes(exc) == ["below_reserved"]
        assert exc.value.status == 409
        assert service.set_on_hand(s, sku, world.warehouse, 8) is kept
        assert (kept.on_hand, kept.reserved) == (8, 8)


def test_set_on_hand_creates_a_row_and_rejects_negative(db, world):
    sku = world.skus["MT-001-RED"]
    with db.session(write=True) as s:
        other = service.create_warehouse(s, code="TOKYO", name="Tokyo", country="JP")
        assert service.set_on_hand(s, sku, other.id, 7).on_hand == 7
        with pytest.raises(DomainError) as exc:
            service.set_on_hand(s, sku, other.id, -1)
        assert error_codes(exc) == ["negative_stock"]


def test_next_incoming_has_a_ship_window(db, world):
    sku = world.skus["MC-001-GLD"]
    with db.session() as s:
        nxt = service.next_incoming(s, [sku, world.skus["MT-001-RED"]], TODAY)
    assert set(nxt) == {sku}
    assert nxt[sku].quantity == 120
    assert nxt[sku].expected_date == date(2030, 1, 15)
    assert nxt[sku].ship_to - nxt[sku].ship_from == timedelta(days=7)


# ---- warehouses ---------------------------------------------------------------------------


def test_warehouses_crud(db, world):
    with db.session(write=True) as s:
        service.create_warehouse(s, code="EU-2", name="Lyon", country="FR")
        rows, total = service.list_warehouses(s)
        assert total == 2 and [w.code for w in rows] == ["MAIN", "EU-2"]
        assert service.update_warehouse(s, "EU-2", name="Lyon hub").name == "Lyon hub"
        service.delete_warehouse(s, "EU-2")
        assert service.list_warehouses(s)[1] == 1


def test_warehouse_rules(db, world):
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as exc:
            service.create_warehouse(s, code="main west", name=" ", country="XX")
        assert error_codes(exc) == ["invalid_warehouse_code", "unknown_country", "invalid_name"]
        with pytest.raises(DomainError) as exc:
            service.create_warehouse(s, code="MAIN", name="Again")
        assert exc.value.status == 409
        with pytest.raises(DomainError) as exc:
            service.delete_warehouse(s, "MAIN")
        assert error_codes(exc) == ["warehouse_in_use"]
        with pytest.raises(DomainError) as exc:
            service.warehouse_by_code(s, "NOPE")
        assert exc.value.status == 404


def test_warehouse_with_order_history_cannot_be_deleted(db, world):
    sku = world.skus["CB-001-TAN"]
    with db.session(write=True) as s:
        wh = service.create_warehouse(s, code="SPARE", name="Spare")
        order = Order(company_id=world.company_a, status="cancelled", currency="EUR")
        line = OrderLine(
            line_no=1,
            sku_id=sku,
            sku_code="CB-001-TAN",
            quantity=6,
            unit_price_minor=1,
            line_total_minor=6,
        )
        line.allocations.append(OrderAllocation(warehouse_id=wh.id, quantity=6))
        order.lines.append(line)
        s.add(order)
        s.flush()
        with pytest.raises(DomainError) as exc:
            service.delete_warehouse(s, "SPARE")
        assert error_codes(exc) == ["warehouse_in_use"]


# ---- stock list and set by codes ----------------------------------------------------------------


def test_list_stock_filters_and_pages(db, world):
    with db.session(write=True) as s:
        service.create_warehouse(s, code="EAST", name="East")
        service.set_stock(s, "MC-001-GLD", "EAST", 5)
        service.reserve(s, world.skus["MC-001-BLK"], 40)
        rows, total = service.list_stock(s)
        assert total == 5
        assert [(r.sku, r.warehouse) for r in rows][:3] == [
            ("CB-001-TAN", "MAIN"),
            ("MC-001-BLK", "MAIN"),
            ("MC-001-GLD", "EAST"),
        ]
        blk = rows[1]
        assert (blk.on_hand, blk.reserved, blk.available) == (100, 40, 60)
        rows, total = service.list_stock(s, sku="MC-001-GLD")
        assert total == 2 and {r.warehouse for r in rows} == {"MAIN", "EAST"}
        rows, total = service.list_stock(s, warehouse="EAST")
        assert total == 1 and rows[0].on_hand == 5
        rows, total = service.list_stock(s, offset=4, limit=10)
        assert total == 5 and len(rows) == 1
        assert service.list_stock(s, sku="NOPE") == ([], 0)


def test_set_stock_by_codes_defaults_to_the_first_warehouse(db, world):
    with db.session(write=True) as s:
        service.create_warehouse(s, code="AAA", name="Later but alphabetically first")
        row = service.set_stock(s, "MT-001-RED", None, 42)
        assert (row.warehouse, row.on_hand) == ("MAIN", 42)
        with pytest.raises(DomainError) as exc:
            service.set_stock(s, "NOPE-1", None, 1)
        assert error_codes(exc) == ["unknown_sku"] and exc.value.status == 404
        with pytest.raises(DomainError) as exc:
            service.set_stock(s, "MT-001-RED", "NOPE", 1)
        assert error_codes(exc) == ["unknown_warehouse"] and exc.value.status == 404


# ---- incoming ------------------------------------------------------------------------------------


def test_add_list_and_receive_incoming(db, world):
    sku = world.skus["MT-001-RED"]
    with db.session(write=True) as s:
        row = incoming_stock.add_incoming(
            s,
            sku_code="MT-001-RED",
            warehouse_code=None,
            quantity=48,
            expected_date=TODAY + timedelta(days=10),
            note="PO 1234",
            today=TODAY,
        )
        assert (row.sku, row.warehouse, row.quantity, row.note) == (
            "MT-001-RED",
            "MAIN",
            48,
            "PO 1234",
        )
        assert row.window == (TODAY + timedelta(days=10), TODAY + timedelta(days=17))
        rows, total = incoming_stock.list_incoming(s, pending=True)
        assert total == 2 and [r.expected_date for r in rows] == sorted(
            r.expected_date for r in rows
        )
        received = incoming_stock.receive_incoming(s, row.id)
        assert received.received_at is not None
        assert level(s, sku, world.warehouse).on_hand == 148
        assert incoming_stock.list_incoming(s, pending=False)[1] == 1
        assert incoming_stock.list_incoming(s, sku="MT-001-RED", pending=True)[1] == 0
        with pytest.raises(DomainError) as exc:
            incoming_stock.receive_incoming(s, row.id)
        assert error_codes(exc) == ["already_received"] and exc.value.status == 409
        assert level(s, sku, world.warehouse).on_hand == 148


def test_receiving_into_a_warehouse_without_a_stock_row_creates_it(db, world):
    sku = world.skus["CB-001-TAN"]
    with db.session(write=True) as s:
        wh = service.create_warehouse(s, code="SEOUL", name="Seoul", country="KR")
        row = incoming_stock.add_incoming(
            s,
            sku_code="CB-001-TAN",
            warehouse_code="SEOUL",
            quantity=12,
            expected_date=TODAY,
            today=TODAY,
        )
        incoming_stock.receive_incoming(s, row.id)
        assert level(s, sku, wh.id).on_hand == 12
        assert service.available_by_sku(s, [sku]) == {sku: 112}


def test_incoming_rules(db, world):
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as exc:
            incoming_stock.add_incoming(
                s,
                sku_code="MT-001-RED",
                warehouse_code=None,
                quantity=0,
                expected_date=TODAY - timedelta(days=1),
                today=TODAY,
            )
        assert error_codes(exc) == ["invalid_quantity", "expected_date_in_past"]
        with pytest.raises(DomainError) as exc:
            incoming_stock.add_incoming(
                s,
                sku_code="MT-001-RED",
                warehouse_code=None,
                quantity=1,
                expected_date=date(9999, 12, 31),
                today=TODAY,
            )
        assert error_codes(exc) == ["expected_date_too_far"]
        with pytest.raises(DomainError) as exc:
            incoming_stock.add_incoming(
                s, sku_code="X", warehouse_code=None, quantity=1, expected_date=TODAY
            )
        assert error_codes(exc) == ["unknown_sku"]
        with pytest.raises(DomainError) as exc:
            incoming_stock.receive_incoming(s, 999_999)
        assert exc.value.status == 404
        assert s.scalar(select(IncomingStock.id).where(IncomingStock.quantity == 0)) is None


# ---- random sequences ------------------------------------------------------------------

operations = st.lists(
    st.tuples(
        st.sampled_from(["reserve", "release", "ship", "count", "receive"]),
        st.integers(0, 1),  # warehouse index
        st.integers(1, 80),
    ),
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations)
def test_random_sequences_keep_stock_consistent(db, world, ops):
    """Reserve / release / ship / count / receive in any order: never negative, never more
    reserved than on hand, and the database agrees with a simple model."""
    sku = world.skus["MC-001-BLK"]
    with db.session(write=True) as s:
        # Everything below is rolled back at the end, so each example starts from the world.
        spare = service.create_warehouse(s, code="SPARE", name="Spare")
        warehouses = [world.warehouse, spare.id]
        for wh in warehouses:
            service.set_on_hand(s, sku, wh, 20)
        model = {wh: [20, 0] for wh in warehouses}  # on hand, reserved
        held: list[tuple[int, int]] = []  # reservations still open
        for op, index, qty in ops:
            wh = warehouses[index]
            if op == "reserve":
                total_available = sum(h - r for h, r in model.values())
                try:
                    plan = service.reserve(s, sku, qty)
                except DomainError as exc:
                    assert exc.items[0].code == "insufficient_stock"
                    assert qty > total_available
                    continue
                for w, q in plan:
                    model[w][1] += q
                    held.append((w, q))
            elif op in ("release", "ship") and held:
                w, q = held.pop(index % len(held))
                if op == "release":
                    service.release(s, sku, [(w, q)])
                    model[w][1] -= q
                else:
                    service.ship(s, sku, [(w, q)])
                    model[w][0] -= q
                    model[w][1] -= q
            elif op == "count":
                try:
                    service.set_on_hand(s, sku, wh, qty)
                    model[wh][0] = qty
                except DomainError as exc:
                    assert exc.items[0].code == "below_reserved"
                    assert qty < model[wh][1]
            elif op == "receive":
                row = incoming_stock.add_incoming(
                    s,
                    sku_code="MC-001-BLK",
                    warehouse_code="SPARE" if index else "MAIN",
                    quantity=qty,
                    expected_date=utcnow().date() + timedelta(days=1),
                )
                incoming_stock.receive_incoming(s, row.id)
                model[wh][0] += qty
            for w in warehouses:
                current = level(s, sku, w)
                assert current.reserved >= 0
                assert current.on_hand >= current.reserved
                assert [current.on_hand, current.reserved] == model[w]
        s.rollback()


def test_concurrent_receipts_of_one_batch_count_once(db, world):
    """Eight clerks press "received" at once: on hand grows by the batch exactly once."""
    sku = world.skus["CB-001-TAN"]
    with db.session(write=True) as s:
        wh = service.create_warehouse(s, code="DOCK", name="Dock").id
        batches = [
            incoming_stock.add_incoming(
                s,
                sku_code="CB-001-TAN",
                warehouse_code="DOCK",
                quantity=q,
                expected_date=utcnow().date(),
            ).id
            for q in (24, 36)
        ]
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def receive(batch_id: int) -> None:
        barrier.wait()
        try:
            with db.session(write=True) as s:
                incoming_stock.receive_incoming(s, batch_id)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.items[0].code)

    threads = [threading.Thread(target=receive, args=(batches[i % 2],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["already_received"] * 6 + ["ok"] * 2
    with db.session() as s:
        assert level(s, sku, wh).on_hand == 60


# ---- purchase orders' batches (purchasing settles and cancels them) --------------------------


def test_settle_incoming_shrinks_then_marks_received_without_adding_on_hand(db, world):
    sku = world.skus["MT-001-RED"]
    with db.session(write=True) as s:
        batch = incoming_stock.add_incoming(
            s,
            sku_code="MT-001-RED",
            warehouse_code="MAIN",
            quantity=50,
            expected_date=TODAY + timedelta(days=10),
            today=TODAY,
        )
        before = level(s, sku, world.warehouse).on_hand
        incoming_stock.settle_incoming(s, batch.id, 20)
        assert incoming_stock.get_incoming(s, batch.id).quantity == 30
        assert incoming_stock.get_incoming(s, batch.id).received_at is None
        incoming_stock.settle_incoming(s, batch.id, 35)  # more than is left: done
        row = incoming_stock.get_incoming(s, batch.id)
        assert (row.quantity, row.received_at is not None) == (30, True)
        incoming_stock.settle_incoming(s, batch.id, 5)  # already received: left alone
        assert incoming_stock.get_incoming(s, batch.id).quantity == 30
        assert level(s, sku, world.warehouse).on_hand == before


def test_cancel_incoming_removes_only_expected_batches(db, world):
    with db.session(write=True) as s:
        expected = incoming_stock.add_incoming(
            s,
            sku_code="MT-001-RED",
            warehouse_code="MAIN",
            quantity=50,
            expected_date=TODAY + timedelta(days=10),
            today=TODAY,
        )
        arrived = incoming_stock.add_incoming(
            s,
            sku_code="MT-001-RED",
            warehouse_code="MAIN",
            quantity=5,
            expected_date=TODAY + timedelta(days=10),
            today=TODAY,
        )
        incoming_stock.receive_incoming(s, arrived.id)
        assert incoming_stock.cancel_incoming(s, expected.id) is True
        assert incoming_stock.cancel_incoming(s, arrived.id) is False
        with pytest.raises(DomainError):
            incoming_stock.get_incoming(s, expected.id)
        assert incoming_stock.get_incoming(s, arrived.id).received_at is not None
