"""A small basket history (imported invoices and placed orders) and its mining."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from microbag.accounts.service import get_user_by_email, principal_of
from microbag.bundles import service
from microbag.catalog.models import Sku
from microbag.db import Database
from microbag.history.importer import import_sales
from microbag.orders import service as orders
from microbag.orders.schemas import OrderLineIn
from tests.history.conftest import HEADER, row, write_csv

GLD, BLK, RED, TAN = "MC-001-GLD", "MC-001-BLK", "MT-001-RED", "CB-001-TAN"


def place(db: Database, email: str, *pairs: tuple[str, int]):
    with db.session(write=True) as s:
        principal = principal_of(get_user_by_email(s, email))
        order, _created = orders.place_order(
            s, principal, [OrderLineIn(sku=c, quantity=q) for c, q in pairs]
        )
        return order


def basket_history(db: Database, tmp_path: Path) -> None:
    """GLD goes with RED (five baskets), then TAN (three), BLK (two); TAN is discontinued."""
    lines = [HEADER]
    invoices = [(GLD, RED)] * 3 + [(GLD, TAN)] * 3 + [(GLD, BLK), (BLK, RED)]
    for n, codes in enumerate(invoices):
        for code in codes:
            lines.append(row(invoice=f"9{n:03d}", code=code, when="2011-03-01 10:00:00"))
    with db.session(write=True) as s:
        import_sales(s, [write_csv(tmp_path, "baskets.csv", lines)], "online-retail")
    for _ in range(2):
        place(db, "buyer@a.test", (GLD, 6), (RED, 6))
    place(db, "buyer@b.test", (GLD, 12), (BLK, 6))
    with db.session(write=True) as s:
        s.execute(update(Sku).where(Sku.code == TAN).values(lifecycle="discontinued"))


def mine(db: Database) -> None:
    with db.session() as s:
        computed = service.compute_mining(s)
    with db.session(write=True) as s:
        service.store_mining(s, computed, actor="test")
