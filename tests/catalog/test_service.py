"""Catalog use cases through the service layer."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from microbag.accounts.principal import Principal
from microbag.catalog import service
from microbag.catalog.listing import SkuFilters, count_skus
from microbag.catalog.models import Sku
from microbag.catalog.schemas import SkuCreate, SkuPatch, StyleCreate, StylePatch
from microbag.errors import DomainError, NotFound
from microbag.stock.models import StockLevel

STAFF = Principal(1, "merch@seller.test", "merchandiser", None)


def buyer(world) -> Principal:
    return Principal(99, "buyer@a.test", "buyer", world.company_a)


def new_style(**overrides) -> StyleCreate:
    data = {
        "code": "BB-100",
        "name": "Festival Belt Bag",
        "bag_type": "belt_bag",
        "width_mm": 200,
        "height_mm": 120,
        "depth_mm": 50,
        "weight_g": 210,
        "price_tier": "mass",
        "season": "SS26",
        "occasions": ["festival", "casual"],
    }
    data.update(overrides)
    return StyleCreate(**data)


def codes(page) -> list[str]:
    return [i.code for i in page.items]


def test_create_style_derives_size_class_and_holds(db):
    with db.session(write=True) as s:
        style = service.create_style(s, new_style())
        assert style.lifecycle == "draft"
        assert style.size_class == "mini"
        assert "phone" in style.holds and style.phone_max_mm == 190
        assert style.occasion_names == ["casual", "festival"]


def test_explicit_holds_are_kept(db):
    with db.session(write=True) as s:
        style = service.create_style(s, new_style(holds=["cards"], phone_max_mm=None))
        assert style.holds == ["cards"] and style.phone_max_mm is None


def test_validation_errors_name_the_field(db):
    with db.session(write=True) as s, pytest.raises(DomainError) as err:
        service.create_style(s, new_style(is_limited_edition=True))
    fields = {i.field for i in err.value.items}
    assert fields == {"drop_date", "edition_size"}


def test_duplicate_style_code_is_a_conflict(db):
    with db.session(write=True) as s:
        service.create_style(s, new_style())
    with db.session(write=True) as s, pytest.raises(DomainError) as err:
        service.create_style(s, new_style())
    assert err.value.status == 409 and err.value.items[0].code == "style_code_taken"


def test_update_resizes_and_refreshes_search_text(db):
    with db.session(write=True) as s:
        style = service.create_style(s, new_style())
        service.add_sku(s, style.id, SkuCreate(code="BB-100-RED", color="red", material="nylon"))
        style_id = style.id
    with db.session(write=True) as s:
        style = service.update_style(
            s, style_id, StylePatch(width_mm=90, height_mm=60, depth_mm=30, name="Tiny Charm")
        )
        assert style.size_class == "nano"
        assert "phone" not in style.holds and style.phone_max_mm is None
    with db.session() as s:
        sku = s.scalar(select(Sku).where(Sku.code == "BB-100-RED"))
        assert "tiny charm" in sku.search_text and "festival" not in sku.search_text


def test_update_keeps_limited_edition_rules(db):
    with db.session(write=True) as s:
        style_id = service.create_style(s, new_style()).id
    with db.session(write=True) as s, pytest.raises(DomainError):
        service.update_style(s, style_id, StylePatch(is_limited_edition=True))
    with db.session(write=True) as s:
        style = service.update_style(
            s,
            style_id,
            StylePatch(is_limited_edition=True, drop_date=date(2026, 6, 1), edition_size=300),
        )
        assert style.edition_size == 300


def test_lifecycle_activate_discontinue_and_back(db, world):
    with db.session(write=True) as s:
        style_id = service.create_style(s, new_style()).id
        with pytest.raises(DomainError) as err:
            service.activate_style(s, style_id)
        assert err.value.items[0].code == "style_without_skus"
        sku = service.add_sku(
            s, style_id, SkuCreate(code="BB-100-RED", color="red", material="nylon")
        )
        assert sku.lifecycle == "draft"
    filters = SkuFilters(bag_type=["belt_bag"])
    with db.session(write=True) as s:
        assert service.list_skus(s, buyer(world), filters).total == 0
        service.activate_style(s, style_id)
    with db.session(write=True) as s:
        assert s.scalar(select(Sku.lifecycle).where(Sku.code == "BB-100-RED")) == "active"
        assert codes(service.list_skus(s, buyer(world), filters)) == ["BB-100-RED"]
        service.discontinue_style(s, style_id)
    with db.session(write=True) as s:
        assert service.list_skus(s, buyer(world), filters).total == 0
        assert service.list_skus(s, STAFF, filters).total == 1
        with pytest.raises(NotFound):
            service.get_sku_detail(s, buyer(world), "BB-100-RED")
        service.activate_style(s, style_id)
    with db.session() as s:
        assert service.list_skus(s, buyer(world), filters).total == 1


def test_invalid_sku_lifecycle_move(db, world):
    with db.session(write=True) as s, pytest.raises(DomainError) as err:
        service.update_sku(s, "MC-001-GLD", SkuPatch(lifecycle="draft"))
    assert err.value.status == 409


def test_filters_combine(db, world):
    with db.session() as s:
        b = buyer(world)
        assert codes(service.list_skus(s, b, SkuFilters(material=["calfskin"]))) == [
            "MC-001-BLK",
            "MC-001-GLD",
        ]
        assert codes(
            service.list_skus(s, b, SkuFilters(material=["calfskin"], color=["gold"]))
        ) == ["MC-001-GLD"]
        assert (
            codes(service.list_skus(s, b, SkuFilters(material=["calfskin"], price_tier=["mass"])))
            == []
        )
        assert codes(service.list_skus(s, b, SkuFilters(occasion=["bridal"]))) == [
            "MC-001-BLK",
            "MC-001-GLD",
        ]
        assert codes(service.list_skus(s, b, SkuFilters(size_class=["mini"]))) == ["CB-001-TAN"]
        assert codes(
            service.list_skus(s, b, SkuFilters(bag_type=["micro_tote", "mini_crossbody"]))
        ) == ["CB-001-TAN", "MT-001-RED"]
        assert codes(service.list_skus(s, b, SkuFilters(q="gala gold"))) == ["MC-001-GLD"]
        assert codes(service.list_skus(s, b, SkuFilters(q="GALA"))) == [
            "MC-001-BLK",
            "MC-001-GLD",
        ]
        assert codes(service.list_skus(s, b, SkuFilters(q="mt"))) == ["MT-001-RED"]
        assert codes(service.list_skus(s, b, SkuFilters(q="100%"))) == []
        assert codes(service.list_skus(s, b, SkuFilters(season=["all_season"]))) == codes(
            service.list_skus(s, b, SkuFilters())
        )


def test_in_stock_filter_and_available(db, world):
    with db.session(write=True) as s:
        level = s.scalar(select(StockLevel).where(StockLevel.sku_id == world.skus["MT-001-RED"]))
        level.reserved = level.on_hand
    with db.session() as s:
        in_stock = service.list_skus(s, buyer(world), SkuFilters(in_stock=True))
        assert "MT-001-RED" not in codes(in_stock) and len(in_stock.items) == 3
        out = service.list_skus(s, buyer(world), SkuFilters(in_stock=False))
        assert codes(out) == ["MT-001-RED"] and out.items[0].available == 0


def test_sorting_and_pagination(db, world):
    with db.session() as s:
        b = buyer(world)
        by_name = codes(service.list_skus(s, b, SkuFilters(sort="name")))
        assert by_name == ["CB-001-TAN", "MC-001-BLK", "MC-001-GLD", "MT-001-RED"]
        newest = codes(service.list_skus(s, b, SkuFilters(sort="newest")))
        assert newest == ["CB-001-TAN", "MT-001-RED", "MC-001-BLK", "MC-001-GLD"]
        page2 = service.list_skus(s, b, SkuFilters(), page=2, page_size=3)
        assert codes(page2) == ["MT-001-RED"] and page2.total == 4 and page2.total_exact


def test_count_is_capped(db, world):
    with db.session() as s:
        assert count_skus(s, SkuFilters(), buyer(world), cap=2) == 2
        assert count_skus(s, SkuFilters(), buyer(world), cap=100) == 4


def test_detail_for_buyer_staff_and_company(db, world):
    with db.session() as s:
        detail = service.get_sku_detail(s, buyer(world), "MC-001-GLD", company_id=world.company_b)
        # A buyer always sees their own company's terms, whatever company_id says.
        assert detail.currency == "EUR" and detail.moq == 6 and detail.case_pack == 6
        assert [t.min_quantity for t in detail.tiers] == [6, 24, 60]
        assert detail.available == 100
        assert detail.next_incoming is not None and detail.next_incoming.quantity == 120
        assert detail.next_incoming.ship_to > detail.next_incoming.ship_from
        assert [c.code for c in detail.other_colors] == ["MC-001-BLK"]
        assert detail.style.occasions == ["bridal", "formal"]
        staff = service.get_sku_detail(s, STAFF, "MC-001-GLD")
        assert staff.tiers == [] and staff.moq is None and staff.currency is None
        for_b = service.get_sku_detail(s, STAFF, "MC-001-GLD", company_id=world.company_b)
        assert for_b.currency == "USD" and len(for_b.tiers) == 3
        with pytest.raises(NotFound):
            service.get_sku_detail(s, STAFF, "MC-001-GLD", company_id=999_999)


def test_sku_missing_from_price_list_has_no_terms(db, world):
    with db.session(write=True) as s:
        style_id = service.create_style(s, new_style()).id
        service.add_sku(s, style_id, SkuCreate(code="BB-100-RED", color="red", material="nylon"))
        service.activate_style(s, style_id)
    with db.session() as s:
        detail = service.get_sku_detail(s, buyer(world), "BB-100-RED")
        assert detail.tiers == [] and detail.moq is None and detail.case_pack is None


def test_retail_price_set_and_removed(db, world):
    with db.session(write=True) as s:
        service.update_sku(
            s, "MC-001-GLD", SkuPatch(retail_price={"amount_minor": 12900, "currency": "EUR"})
        )
    with db.session(write=True) as s:
        detail = service.get_sku_detail(s, buyer(world), "MC-001-GLD")
        assert detail.retail_price is not None and detail.retail_price.amount_minor == 12900
        service.update_sku(s, "MC-001-GLD", SkuPatch(retail_price=None))
    with db.session() as s:
        assert service.get_sku_detail(s, buyer(world), "MC-001-GLD").retail_price is None


def test_list_styles_for_staff(db, world):
    with db.session() as s:
        items, total = service.list_styles(s, q="gala")
        assert total == 1 and items[0].code == "MC-001" and items[0].sku_count == 2
        items, total = service.list_styles(s, bag_type="micro_tote")
        assert [i.code for i in items] == ["MT-001"]


@pytest.mark.parametrize("window", ["wide", "tiny"])
@pytest.mark.parametrize("sort", ["code", "name", "newest"])
def test_both_query_plans_give_the_same_page(db, world, sort, window, monkeypatch):
    """Broad plans (walk a window of the sort order, else sort the matches) and the
    narrow one (sort the few matches) give the same pages."""
    from microbag.catalog import listing
    from microbag.catalog.listing import list_page

    fallbacks = []
    if window == "tiny":  # the window holds too few matches: the fallback runs
        monkeypatch.setattr(listing, "WALK_ROWS", 1)
        monkeypatch.setattr(listing, "WALK_FACTOR", 1)
        real = listing._sort_matches

        def counted(*args, **kwargs):
            fallbacks.append(1)
            return real(*args, **kwargs)

        monkeypatch.setattr(listing, "_sort_matches", counted)

    combos = [
        SkuFilters(),
        SkuFilters(material=["calfskin"]),
        SkuFilters(q="gala", color=["gold", "black"]),
        SkuFilters(occasion=["casual"], in_stock=True),
        SkuFilters(size_class=["micro"], price_tier=["luxury", "premium"]),
        SkuFilters(bag_type=["micro_tote"], season=["all_season"], material=["vegan_leather"]),
    ]
    with db.session() as s:
        for f in combos:
            f.sort = sort
            for who in (STAFF, buyer(world)):
                for offset, limit in ((0, 50), (1, 2), (3, 5), (0, 1), (1, 1)):
                    narrow, total = list_page(s, f, who, offset=offset, limit=limit, cap=10**6)
                    # cap 1: no bound from the sample; caps 2 and 3: the fallback sorts
                    # only the matches up to the sample's offset+limit-th (when it has one).
                    for cap in (1, 2, 3):
                        broad, _ = list_page(s, f, who, offset=offset, limit=limit, cap=cap)
                        assert [r.code for r in broad] == [r.code for r in narrow], (f, offset)
                    assert len(narrow) == max(0, min(limit, total - offset))
    assert bool(fallbacks) == (window == "tiny")
