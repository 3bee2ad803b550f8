"""suggestions.service on the database: own orders count under the company's buyer ref."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from microbag.db import Database
from microbag.suggestions.service import NoHistory, build_model, customer_suggestions
from tests.factories import add_history_order

START = datetime(2024, 1, 3, 10, tzinfo=UTC)


def test_company_orders_are_suggested_back(db: Database, world) -> None:
    with db.session(write=True) as s:
        for week in range(0, 24, 4):
            when = START + timedelta(weeks=week)
            red = world.skus["MT-001-RED"]
            add_history_order(s, world.company_a, red, "MT-001-RED", 24, when)
            add_history_order(s, world.company_b, world.skus["MC-001-BLK"], "MC-001-BLK", 6, when)
    with db.session() as s:
        model = build_model(s)
        assert model.as_of == (START + timedelta(weeks=20)).date()
        rows = customer_suggestions(s, 2)
    refs = {str(world.company_a), str(world.company_b)}
    assert set(model.buyers()) == refs
    first = {r.buyer_ref: r.suggestion for r in rows if r.suggestion.rank == 1}
    assert first[str(world.company_a)].sku == "MT-001-RED"
    assert first[str(world.company_a)].units == 24
    assert "reordered every 4 weeks" in first[str(world.company_a)].reasons[0]
    assert model.profiles[str(world.company_a)].segment is not None


def test_an_empty_history_raises(db: Database) -> None:
    with db.session() as s, pytest.raises(NoHistory):
        build_model(s)
