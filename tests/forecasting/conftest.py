"""Forecast test data: own orders with known shapes over 30 weeks, and a CLI database."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from microbag.db import Database
from tests.factories import add_history_order

# statsforecast 2.x has no numba JIT left (its models are compiled ahead in coreforecast);
# should a future version bring numba back, its compiled functions are cached here.
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "microbag-numba"))

START = datetime(2024, 1, 3, 10, tzinfo=UTC)  # a Wednesday
WEEKS = 30


def order(s, company_id: int, sku_id: int, code: str, qty: int, when: datetime) -> None:
    add_history_order(s, company_id, sku_id, code, qty, when)


@pytest.fixture
def history(db: Database, world):
    """Red tote rising (A, europe), black clutch flat (B, us) and lumpy in europe (A),
    tan crossbody every other week (A)."""
    with db.session(write=True) as s:
        for i in range(WEEKS):
            when = START + timedelta(weeks=i)
            red = world.skus["MT-001-RED"]
            blk = world.skus["MC-001-BLK"]
            tan = world.skus["CB-001-TAN"]
            order(s, world.company_a, red, "MT-001-RED", 10 + 2 * i, when)
            order(s, world.company_b, blk, "MC-001-BLK", 40 + (i % 3), when)
            if i % 5 == 0:
                order(s, world.company_a, blk, "MC-001-BLK", 120, when)
            if i % 2 == 0:
                order(s, world.company_a, tan, "CB-001-TAN", 25, when)
    return world
