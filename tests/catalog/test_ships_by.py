"""The "ships by" filter: available now, or an incoming batch shipping by the date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, update

from microbag.accounts.principal import Principal
from microbag.catalog import service
from microbag.catalog.facets import facet_counts, ships_by_count
from microbag.catalog.listing import SkuFilters, count_skus
from microbag.stock.models import IncomingStock, StockLevel

# The world's one batch: 120 x MC-001-GLD expected 2030-01-15, so it ships by 2030-01-22.
BEFORE = date(2029, 12, 1)


def buyer(world) -> Principal:
    return Principal(99, "buyer@a.test", "buyer", world.company_a)


def sell_out(db, world, *codes: str) -> None:
    with db.session(write=True) as s:
        s.execute(
            update(StockLevel)
            .where(StockLevel.sku_id.in_([world.skus[c] for c in codes]))
            .values(on_hand=0, reserved=0)
        )


def listed(db, world, **filters) -> list[str]:
    with db.session() as s:
        page = service.list_skus(s, buyer(world), SkuFilters(today=BEFORE, **filters))
        return sorted(i.code for i in page.items)


def test_keeps_skus_in_stock_or_arriving_in_time(db, world):
    sell_out(db, world, "MC-001-GLD", "MT-001-RED")
    # The batch's ship window ends 2030-01-22: on that day it counts, the day before not.
    assert listed(db, world, ships_by=date(2030, 1, 22)) == [
        "CB-001-TAN",
        "MC-001-BLK",
        "MC-001-GLD",
    ]
    assert listed(db, world, ships_by=date(2030, 1, 21)) == ["CB-001-TAN", "MC-001-BLK"]
    # A date already past (and the smallest date there is) keeps what is in stock now.
    assert listed(db, world, ships_by=date(2020, 1, 1)) == ["CB-001-TAN", "MC-001-BLK"]
    assert listed(db, world, ships_by=date.min) == ["CB-001-TAN", "MC-001-BLK"]
    assert listed(db, world, ships_by=date.max) == ["CB-001-TAN", "MC-001-BLK", "MC-001-GLD"]


def test_combines_with_the_other_filters_and_counts(db, world):
    sell_out(db, world, "MC-001-GLD", "MT-001-RED")
    late = date(2030, 1, 21)
    assert listed(db, world, ships_by=date(2030, 2, 1), color=["gold"]) == ["MC-001-GLD"]
    assert listed(db, world, ships_by=late, color=["gold"]) == []
    assert listed(db, world, ships_by=late, bag_type=["micro_clutch"]) == ["MC-001-BLK"]
    with db.session() as s:
        filters = SkuFilters(today=BEFORE, ships_by=late)
        colors = {f.value: f.count for f in facet_counts(s, filters, buyer(world))["color"]}
        assert colors == {"black": 1, "tan": 1}
        assert ships_by_count(s, filters, buyer(world)) == 2
        assert ships_by_count(s, SkuFilters(today=BEFORE), buyer(world)) is None
        assert count_skus(s, SkuFilters(today=BEFORE, ships_by=date(2030, 1, 22)), None) == 3


def test_received_or_overdue_batches_do_not_count(db, world):
    sell_out(db, world, "MC-001-GLD")
    ships_by = date(2030, 1, 22)
    # Once the batch's expected date has passed (still not received), it no longer counts.
    with db.session() as s:
        late = SkuFilters(today=date(2030, 1, 16), ships_by=ships_by, color=["gold"])
        assert service.list_skus(s, buyer(world), late).items == []
    with db.session(write=True) as s:
        batch = s.scalar(select(IncomingStock))
        batch.received_at = datetime(2029, 11, 30, tzinfo=UTC)
    assert listed(db, world, ships_by=ships_by, color=["gold"]) == []


def test_api_takes_the_date(client, world, db):
    sell_out(db, world, "MC-001-GLD", "MT-001-RED")
    headers = world.auth("buyer@a.test")

    def codes(**params) -> list[str]:
        r = client.get("/api/v1/skus", params=params, headers=headers)
        assert r.status_code == 200, r.text
        return sorted(i["code"] for i in r.json()["items"])

    assert codes(ships_by="2030-01-22") == ["CB-001-TAN", "MC-001-BLK", "MC-001-GLD"]
    assert codes(ships_by="2030-01-21") == ["CB-001-TAN", "MC-001-BLK"]
    assert codes(ships_by="2030-01-22", color="gold") == ["MC-001-GLD"]
    assert codes(ships_by="0001-01-01") == ["CB-001-TAN", "MC-001-BLK"]
    r = client.get("/api/v1/skus", params={"ships_by": "soon"}, headers=headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"]
