"""Dashboard data: orders placed through the real service, as buyers place them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from microbag.accounts.models import User
from microbag.accounts.service import Principal, principal_of
from microbag.orders import service as orders
from microbag.orders.schemas import OrderLineIn


@pytest.fixture
def principal(db, world) -> Callable[[str], Principal]:
    def make(email: str) -> Principal:
        with db.session() as s:
            return principal_of(s.scalars(select(User).where(User.email == email)).one())

    return make


@pytest.fixture
def place(db, principal) -> Callable[..., int]:
    """Place an order as ``email`` with (sku, quantity) lines; returns its id."""

    def make(email: str, *pairs: tuple[str, int]) -> int:
        lines = [OrderLineIn(sku=sku, quantity=qty) for sku, qty in pairs]
        with db.session(write=True) as s:
            order, _ = orders.place_order(s, principal(email), lines)
            return order.id

    return make
