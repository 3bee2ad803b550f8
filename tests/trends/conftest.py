"""Own orders with designed trends (30 weeks from Monday 2024-01-01)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from microbag.db import Database
from tests.factories import add_history_order

START = datetime(2024, 1, 3, 10, tzinfo=UTC)  # a Wednesday
WEEKS = 30


def order(s, company_id: int, sku_id: int, code: str, qty: int, when: datetime) -> None:
    add_history_order(s, company_id, sku_id, code, qty, when)


@pytest.fixture
def trending(db: Database, world):
    """Red micro tote rising (company A, europe boutique), black clutch flat (B, us
    department store), tan mini crossbody fading (A)."""
    with db.session(write=True) as s:
        for i in range(WEEKS):
            when = START + timedelta(weeks=i)
            order(
                s, world.company_a, world.skus["MT-001-RED"], "MT-001-RED", 10 + 3 * i + i % 3, when
            )
            order(
                s, world.company_b, world.skus["MC-001-BLK"], "MC-001-BLK", 40 + (i % 3) - 1, when
            )
            order(
                s,
                world.company_a,
                world.skus["CB-001-TAN"],
                "CB-001-TAN",
                100 - 3 * i + i % 2,
                when,
            )
    return world
