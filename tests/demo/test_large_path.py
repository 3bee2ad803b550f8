"""The --size large code path (indexes rebuilt, search table refilled) at a medium size."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, inspect, select, text

from microbag.catalog.listing import SkuFilters, count_skus
from microbag.catalog.models import Sku
from microbag.demo.generator import SIZES, DemoSize, load_demo
from microbag.pricing.models import PriceList, PriceListItem

MEDIUM = DemoSize(min_styles=72, min_skus=1_500, rebuild_indexes=True)


def _indexes(db) -> dict[str, set[str]]:
    inspector = inspect(db.engine)
    return {
        table: {ix["name"] for ix in inspector.get_indexes(table)}
        for table in ("styles", "skus", "price_list_items", "price_tiers", "stock_levels")
    }


def test_medium_load_rebuilds_indexes_and_prices_the_extra_catalog(db):
    before = _indexes(db)
    with db.session(write=True) as s:
        summary = load_demo(s, size=MEDIUM, seed=3, now=datetime(2026, 5, 2, 9, tzinfo=UTC))
    assert _indexes(db) == before
    assert summary.counts["skus"] >= 1_500
    with db.session() as s:
        skus = s.scalar(select(func.count(Sku.id)))
        if db.is_sqlite:
            assert s.scalar(text("SELECT count(*) FROM skus_fts")) == skus
        code = s.scalars(select(Sku.code).order_by(Sku.id.desc())).first()
        assert count_skus(s, SkuFilters(q=code.lower()), None) == 1
        per_list = dict(
            s.execute(
                select(PriceList.name, func.count(PriceListItem.id))
                .join(PriceListItem, PriceListItem.price_list_id == PriceList.id)
                .group_by(PriceList.name)
            ).all()
        )
    # Default lists price everything; segment and contract lists the core catalog.
    assert per_list["Wholesale USD"] == per_list["Wholesale KRW"] == skus
    assert SIZES["small"].min_skus <= per_list["Distributor EUR"] < skus
