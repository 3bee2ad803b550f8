"""Fixtures of the orders tests: principals by e-mail, stock and order read-outs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from microbag.accounts.service import Principal, get_user_by_email, principal_of
from microbag.db import Database
from microbag.stock.models import StockLevel


@pytest.fixture
def who(db: Database) -> Callable[[str], Principal]:
    """The principal of a user of the world, by e-mail."""

    def get(email: str) -> Principal:
        with db.session() as s:
            return principal_of(get_user_by_email(s, email))

    return get


@pytest.fixture
def stock_of(db: Database) -> Callable[[int], tuple[int, int]]:
    """(on hand, reserved) of a SKU id, all warehouses together."""

    def get(sku_id: int) -> tuple[int, int]:
        with db.session() as s:
            on_hand, reserved = s.execute(
                select(
                    func.coalesce(func.sum(StockLevel.on_hand), 0),
                    func.coalesce(func.sum(StockLevel.reserved), 0),
                ).where(StockLevel.sku_id == sku_id)
            ).one()
            return int(on_hand), int(reserved)

    return get
