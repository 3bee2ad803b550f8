"""PO numbers are unique per company: a reused one is 409 duplicate_po_number, another
company may use it, the list finds an order by it, and when many orders with one new PO
number arrive at once exactly one is placed (the unique index decides, no 500)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from microbag.errors import DomainError
from microbag.orders import service
from microbag.orders.header import HeaderIn
from microbag.orders.models import Order

from ..conftest import PG_URL
from .support import lines

GLD = "MC-001-GLD"


def _place(db, principal, po: str):
    with db.session(write=True) as s:
        order, _ = service.place_order(
            s, principal, lines((GLD, 12)), header=HeaderIn(po_number=po)
        )
        return order.id


def test_a_reused_po_number_is_409_and_another_company_may_use_it(db, world, who):
    first = _place(db, who("buyer@a.test"), "PO-100")
    with pytest.raises(DomainError) as err:
        _place(db, who("owner@a.test"), "PO-100")
    assert err.value.status == 409
    assert [i.code for i in err.value.items] == ["duplicate_po_number"]
    assert _place(db, who("buyer@b.test"), "PO-100") != first


def test_the_api_finds_an_order_by_its_po_number(client, world):
    auth = world.auth("buyer@a.test")
    body = {"lines": [{"sku": GLD, "quantity": 12}], "po_number": "PO-API-1"}
    placed = client.post("/api/v1/orders", json=body, headers=auth)
    assert placed.status_code == 201, placed.text
    client.post("/api/v1/orders", json={"lines": [{"sku": GLD, "quantity": 12}]}, headers=auth)
    again = client.post("/api/v1/orders", json=body, headers=auth)
    assert again.status_code == 409
    assert [e["code"] for e in again.json()["errors"]] == ["duplicate_po_number"]
    found = client.get("/api/v1/orders?po_number=PO-API-1", headers=auth).json()
    assert [o["id"] for o in found["items"]] == [placed.json()["id"]]


@pytest.mark.skipif(not PG_URL, reason="concurrent writers need PostgreSQL")
def test_concurrent_orders_with_one_po_number_place_exactly_one(db, world, who):
    principal = who("buyer@a.test")

    def attempt(_: int) -> str:
        try:
            _place(db, principal, "PO-RACE")
        except DomainError as exc:
            return exc.items[0].code
        return "placed"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    assert outcomes.count("placed") == 1, outcomes
    assert set(outcomes) == {"placed", "duplicate_po_number"}
    with db.session() as s:
        assert s.scalar(select(func.count()).where(Order.po_number == "PO-RACE")) == 1
