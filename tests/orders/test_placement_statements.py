"""What one placement costs the database: its statements, counted (issue 8: one
company's orders queue on its row lock, so every statement on the way counts)."""

from __future__ import annotations

from sqlalchemy import event, select

from microbag.orders import placement_writes, service
from microbag.orders.models import IdempotencyRecord, Order, OrderAllocation, OrderEvent

from .support import lines

GLD, RED = "MC-001-GLD", "MT-001-RED"


def test_placing_writes_every_row_and_counts_its_statements(db, world, who):
    buyer = who("buyer@a.test")  # company A buys on credit: its lock and credit check
    statements: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements.append(statement.strip().split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.session(write=True) as s:
            order, created = service.place_order(
                s, buyer, lines((GLD, 12), (RED, 24)), idempotency_key="k-1"
            )
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert created

    if not db.is_sqlite:  # SQLite: a statement per table, no round trips to save
        # buyer (with its header defaults and default ship-to), key, SKU facts (with
        # whether a drop holds each SKU: orders.gates asks more only then), bundle
        # offers, locked stock rows (with each warehouse's rank for the buyer's region),
        # the stock update, the order with its header, lines, event, allocations and key
        # link (one WITH statement), and the company's lock with its open unpaid total
        # (one query of two): 8, as before drops (14 before issue 8).
        assert statements == [
            "SELECT",
            "INSERT",
            "SELECT",
            "SELECT",
            "SELECT",
            "UPDATE",
            "WITH",
            "SELECT",
        ], statements

    with db.session() as s:
        stored = s.get(Order, order.id)
        assert stored is not None and stored.total_minor == order.total_minor
        assert [(ln.line_no, ln.sku_code, ln.quantity) for ln in stored.lines] == [
            (1, GLD, 12),
            (2, RED, 24),
        ]
        allocated = s.scalars(
            select(OrderAllocation.quantity)
            .where(OrderAllocation.line_id.in_([ln.id for ln in stored.lines]))
            .order_by(OrderAllocation.quantity)
        ).all()
        assert allocated == [12, 24]
        events = s.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)).all()
        assert [(e.to_status, e.actor_label) for e in events] == [("placed", "buyer@a.test")]
        key = s.scalars(select(IdempotencyRecord).where(IdempotencyRecord.key == "k-1")).one()
        assert key.order_id == order.id


def test_the_one_statement_write_leaves_no_column_to_a_python_default():
    # A column added to these tables with a Python-side default (or NOT NULL without a
    # server default) must be added to the PostgreSQL statement too.
    assert placement_writes._unwritten_columns() == []
