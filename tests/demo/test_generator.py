"""The small demo load: counts, invariants, seasonality, regional preferences and the
issue-11 features (warehouse regions, addresses, preorders, backorders, shipments, drops)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select

import microbag.models as models
from microbag.accounts.models import User
from microbag.accounts.service import verify_password
from microbag.buyers.models import Company
from microbag.buyers.policies import REGIONS, SEGMENTS
from microbag.catalog.models import Sku, Style, StyleOccasion
from microbag.catalog.policies import MAIN_BAG_TYPES, is_season, size_class
from microbag.db import Database
from microbag.demo.bulk import BulkWriter
from microbag.demo.catalog import build_catalog
from microbag.demo.generator import DEMO_PASSWORD, load_demo
from microbag.drops.models import DropAllocation
from microbag.errors import DomainError
from microbag.orders.models import Order, OrderAllocation, OrderEvent, OrderLine
from microbag.orders.policies import RESERVED_STATUSES
from microbag.pricing.models import PriceList, PriceListItem, PriceTier
from microbag.pricing.policies import Tier, unit_price, validate_terms
from microbag.pricing.service import price_list_for_company, terms_for
from microbag.stock.models import IncomingStock, StockLevel, Warehouse
from microbag.timeutil import as_utc

pytestmark = pytest.mark.db

NEXT_STATUS = {
    None: {"placed", "draft"},
    "draft": {"placed"},
    "placed": {"confirmed", "cancelled"},
    "confirmed": {"shipped", "partly_shipped", "cancelled"},
    "partly_shipped": {"partly_shipped", "shipped"},
    "shipped": {"delivered"},
}


def test_catalog_counts_and_shapes(demo):
    with demo.db.session() as s:
        styles = s.scalars(select(Style)).all()
        skus = s.scalars(select(Sku)).all()
        occasions = {o for (o,) in s.execute(select(StyleOccasion.occasion))}
    assert len(styles) >= 60
    assert len(skus) >= 400
    types = {st.bag_type for st in styles}
    assert set(MAIN_BAG_TYPES) <= types
    assert types & {"pouch", "bucket", "top_handle"}
    assert {"calfskin", "lambskin", "vegan_leather", "recycled_fabric", "canvas", "nylon"} <= {
        k.material for k in skus
    }
    assert {"casual", "formal", "festival", "bridal"} <= occasions
    assert {st.price_tier for st in styles} == {"luxury", "premium", "mass"}
    for st in styles:
        assert st.size_class == size_class(st.width_mm, st.height_mm, st.depth_mm)
        assert max(st.width_mm, st.height_mm, st.depth_mm) <= 230  # micro and mini bags
        assert 20 <= st.weight_g <= 600
        assert "lipstick" in st.holds  # the least a micro bag holds
        assert is_season(st.season), st.season
        if st.is_limited_edition:
            assert st.drop_date is not None and st.edition_size
    assert {st.size_class for st in styles} >= {"nano", "micro", "mini"}
    assert any(st.is_limited_edition for st in styles)
    lifecycles = [k.lifecycle for k in skus]
    assert lifecycles.count("active") > len(skus) / 2
    assert "draft" in lifecycles and "discontinued" in lifecycles
    for k in skus:
        assert k.code.lower() in k.search_text and k.color.replace("_", " ") in k.search_text
        assert k.material.replace("_", " ") in k.search_text
    assert len({k.code for k in skus}) == len(skus)


def test_companies_users_and_logins(demo):
    with demo.db.session() as s:
        companies = s.scalars(select(Company)).all()
        users = s.scalars(select(User)).all()
        admin = s.scalar(select(User).where(User.email == "admin@microbag.example"))
    assert len(companies) >= 80
    assert {c.segment for c in companies} == set(SEGMENTS)
    assert {c.region for c in companies} == set(REGIONS) - {"other"}
    for region in set(REGIONS) - {"other"}:
        assert {c.segment for c in companies if c.region == region} == set(SEGMENTS)
    assert {"USD", "EUR", "JPY", "KRW"} <= {c.currency for c in companies}
    assert {c.payment_terms_days for c in companies} >= {None, 30, 60, 90}
    for c in companies:
        assert (c.credit_limit_minor == 0) == (c.payment_terms_days is None)
    by_company = defaultdict(set)
    for u in users:
        if u.company_id is not None:
            by_company[u.company_id].add(u.role)
    assert all("owner" in roles for roles in by_company.values())
    assert {r for roles in by_company.values() for r in roles} == {"owner", "buyer", "viewer"}
    assert {u.role for u in users if u.company_id is None} == {"admin", "sales", "merchandiser"}
    assert admin is not None and admin.role == "admin"
    assert len({u.password_hash for u in users}) == 1  # hashed once
    assert verify_password(DEMO_PASSWORD, admin.password_hash)
    emails = {u.email for u in users}
    for login in demo.summary.logins:
        assert login.email in emails
    roles = {login.role for login in demo.summary.logins}
    assert roles == {"admin", "sales", "merchandiser", "owner"}


def test_price_lists_valid_and_resolvable(demo):
    with demo.db.session() as s:
        lists = s.scalars(select(PriceList)).all()
        assert {pl.currency for pl in lists} >= {"USD", "EUR", "JPY", "KRW"}
        assert any(pl.segment == "distributor" for pl in lists)
        assert any(pl.company_id is not None for pl in lists)
        tiers: dict[int, list[Tier]] = defaultdict(list)
        for item_id, q, p in s.execute(
            select(PriceTier.item_id, PriceTier.min_quantity, PriceTier.unit_price_minor)
        ):
            tiers[item_id].append(Tier(q, p))
        items = s.execute(select(PriceListItem.__table__)).all()
        assert len(items) >= 400 * 4
        for item in items:
            assert validate_terms(item.moq, item.case_pack, tiers[item.id]) == []
        # Luxury sells in smaller minimums than mass.
        moq_by_tier = defaultdict(list)
        for moq, tier in s.execute(
            select(PriceListItem.moq, Style.price_tier)
            .join(Sku, Sku.id == PriceListItem.sku_id)
            .join(Style, Style.id == Sku.style_id)
            .join(PriceList, PriceList.id == PriceListItem.price_list_id)
            .where(PriceList.segment.is_(None), PriceList.company_id.is_(None))
        ):
            moq_by_tier[tier].append(moq)
        assert max(moq_by_tier["luxury"]) < min(moq_by_tier["mass"])
        skus = s.scalars(select(Sku.id)).all()
        for company in s.scalars(select(Company)):
            pl = price_list_for_company(s, company)
            assert pl is not None and pl.currency == company.currency
            assert terms_for(s, pl, skus[:20])  # the core catalog is priced for everyone


def test_orders_priced_by_the_lists_and_totals_add_up(demo):
    with demo.db.session() as s:
        orders = {
            row.id: row
            for row in s.execute(
                select(
                    Order.id,
                    Order.price_list_id,
                    Order.total_minor,
                    Order.currency,
                    Company.currency.label("company_currency"),
                ).join(Company, Company.id == Order.company_id)
            )
        }
        lines = s.execute(
            select(
                OrderLine.order_id,
                OrderLine.sku_id,
                OrderLine.quantity,
                OrderLine.unit_price_minor,
                OrderLine.line_total_minor,
            )
        ).all()
        skus_by_list = defaultdict(set)
        for line in lines:
            skus_by_list[orders[line.order_id].price_list_id].add(line.sku_id)
        terms = {
            pl_id: terms_for(s, s.get(PriceList, pl_id), ids) for pl_id, ids in skus_by_list.items()
        }
        movs = {pl.id: pl.min_order_value_minor for pl in s.scalars(select(PriceList))}
        # A drop's allocation orders whole case packs of the drop, without MOQ or minimum.
        drop_orders = set(s.scalars(select(DropAllocation.order_id)))
    assert drop_orders
    sums = defaultdict(int)
    for line in lines:
        order = orders[line.order_id]
        t = terms[order.price_list_id][line.sku_id]
        assert line.line_total_minor == line.quantity * line.unit_price_minor
        assert line.unit_price_minor == unit_price(t.tiers, line.quantity)
        if order.id not in drop_orders:
            assert line.quantity >= t.moq and line.quantity % t.case_pack == 0
        sums[line.order_id] += line.line_total_minor
    assert len(sums) == len(orders)  # every order has lines
    for order in orders.values():
        assert order.total_minor == sums[order.id]
        assert order.currency == order.company_currency
        if order.id not in drop_orders:
            assert order.total_minor >= movs[order.price_list_id]


def test_three_years_of_orders_with_statuses_and_events(demo):
    now = demo.now
    with demo.db.session() as s:
        orders = {row.id: row for row in s.execute(select(Order.__table__))}
        events = defaultdict(list)
        for e in s.execute(select(OrderEvent.__table__).order_by(OrderEvent.id)):
            events[e.order_id].append(e)
    by_status = defaultdict(int)
    for o in orders.values():
        by_status[o.status] += 1
        chain = events[o.id]
        assert chain and chain[-1].to_status == o.status
        previous = None
        for e in chain:
            assert e.from_status == previous
            assert e.to_status in NEXT_STATUS[previous]
            assert as_utc(e.at) <= now
            previous = e.to_status
        if o.status in ("shipped", "delivered"):
            assert o.tracking_ref
        if o.status == "cancelled":
            assert chain[-1].reason
            assert o.paid_at is None
        if o.status == "draft":
            assert o.placed_at is None
    created = [as_utc(o.created_at) for o in orders.values()]
    assert min(created) <= now - timedelta(days=3 * 365 - 30)
    assert max(created) >= now - timedelta(days=7)
    assert {"delivered", "shipped", "confirmed", "placed", "cancelled"} <= set(by_status)
    assert by_status["delivered"] > 0.8 * len(orders)
    assert by_status["cancelled"] < 0.08 * len(orders)
    old_delivered = [
        o
        for o in orders.values()
        if o.status == "delivered" and as_utc(o.created_at) < now - timedelta(days=200)
    ]
    paid = [o for o in old_delivered if o.paid_at is not None]
    assert len(paid) > 0.95 * len(old_delivered)


def test_reserved_stock_equals_open_allocations(demo):
    with demo.db.session() as s:
        open_units = defaultdict(int)
        for sku_id, wh_id, qty in s.execute(
            select(OrderLine.sku_id, OrderAllocation.warehouse_id, OrderAllocation.quantity)
            .join(OrderLine, OrderLine.id == OrderAllocation.line_id)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.status.in_(sorted(RESERVED_STATUSES)))
        ):
            open_units[(sku_id, wh_id)] += qty
        levels = s.execute(select(StockLevel.__table__)).all()
        # Every non-draft, non-cancelled line is allocated in full (the history's shipped
        # orders keep their allocations), less what waits for stock or has left in a
        # shipment; draft and cancelled lines not at all.
        allocated = dict(
            s.execute(
                select(OrderAllocation.line_id, func.sum(OrderAllocation.quantity)).group_by(
                    OrderAllocation.line_id
                )
            ).all()
        )
        lines = s.execute(
            select(
                OrderLine.id,
                OrderLine.quantity,
                OrderLine.waiting_quantity,
                OrderLine.shipped_quantity,
                Order.status,
            ).join(Order, Order.id == OrderLine.order_id)
        ).all()
        incoming = s.execute(select(IncomingStock.__table__)).all()
    assert open_units, "some orders are open and hold stock"
    reserved = {(lv.sku_id, lv.warehouse_id): lv.reserved for lv in levels if lv.reserved}
    assert reserved == dict(open_units)
    assert all(0 <= lv.reserved <= lv.on_hand for lv in levels)
    assert any(lv.on_hand == lv.reserved for lv in levels)  # some sold out
    for line in lines:
        expected = line.quantity - line.waiting_quantity - line.shipped_quantity
        if line.status in ("draft", "cancelled"):
            expected = 0
        assert allocated.get(line.id, 0) == expected
    assert any(b.expected_date > demo.now.date() and b.received_at is None for b in incoming)


def _units(s, *group_by, where=()):
    query = (
        select(*group_by, func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .join(Company, Company.id == Order.company_id)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .join(Style, Style.id == Sku.style_id)
        .where(Order.status != "cancelled", *where)
        .group_by(*group_by)
    )
    return {tuple(row[:-1]) if len(row) > 2 else row[0]: int(row[-1]) for row in s.execute(query)}


def test_holiday_peak_in_the_fourth_quarter(demo):
    with demo.db.session() as s:
        rows = s.execute(
            select(Order.created_at, OrderLine.quantity)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(Order.status != "cancelled")
        ).all()
    months = defaultdict(int)
    for created_at, quantity in rows:
        months[as_utc(created_at).month] += quantity
    q1 = months[1] + months[2] + months[3]
    q4 = months[10] + months[11] + months[12]
    assert q4 > 1.5 * q1
    assert max(months, key=months.get) in (10, 11, 12)


def test_wedding_and_festival_seasons(demo):
    """Bridal styles sell in spring and early summer, festival styles in summer."""
    with demo.db.session() as s:
        rows = s.execute(
            select(Order.created_at, StyleOccasion.occasion)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .join(Sku, Sku.id == OrderLine.sku_id)
            .join(StyleOccasion, StyleOccasion.style_id == Sku.style_id)
            .where(Order.status != "cancelled")
        ).all()
    seasons = {4: "spring", 5: "spring", 6: "spring", 7: "summer", 8: "summer"}
    seasons |= {10: "holidays", 11: "holidays", 12: "holidays"}
    lines = defaultdict(lambda: defaultdict(int))  # occasion -> season -> order lines
    for created_at, occasion in rows:
        season = seasons.get(as_utc(created_at).month)
        if season:
            lines[occasion][season] += 1
    bridal, festival, formal = lines["bridal"], lines["festival"], lines["formal"]
    assert bridal["spring"] / formal["spring"] > 1.3 * bridal["holidays"] / formal["holidays"]
    assert festival["summer"] / formal["summer"] > 1.3 * festival["holidays"] / formal["holidays"]


def _share(units: dict, region: str, values: set[str]) -> float:
    total = sum(v for (r, _), v in units.items() if r == region)
    return sum(v for (r, k), v in units.items() if r == region and k in values) / total


def test_regional_preferences_of_the_brief(demo):
    with demo.db.session() as s:
        by_hardware = _units(s, Company.region, Sku.hardware)
        by_color = _units(s, Company.region, Sku.color)
        by_type = _units(s, Company.region, Style.bag_type)
        by_size = _units(s, Company.region, Style.size_class)
        by_tier = _units(s, Company.region, Style.price_tier)
    regions = ("us", "europe", "japan_korea", "china", "middle_east", "latin_america")
    pastel = {"blush", "lilac", "mint", "baby_blue", "butter", "peach"}
    vivid = {"red", "fuchsia", "cobalt", "orange", "lime", "turquoise", "sunflower"}
    neutral = {"black", "ivory", "tan", "taupe", "camel", "chocolate", "grey", "white"}
    # Middle East: gold and crystals, luxury (Table 11).
    ornate = {r: _share(by_hardware, r, {"gold", "crystal"}) for r in regions}
    assert max(ornate, key=ornate.get) == "middle_east"
    luxury = {r: _share(by_tier, r, {"luxury"}) for r in regions}
    assert max(luxury, key=luxury.get) == "middle_east"
    # Japan and Korea: pastel colors and the minimalist nano size.
    assert _share(by_color, "japan_korea", pastel) > 2 * _share(by_color, "europe", pastel)
    nano = {r: _share(by_size, r, {"nano"}) for r in regions}
    assert all(nano["japan_korea"] > nano[r] for r in ("us", "europe", "china", "latin_america"))
    assert _share(by_size, "japan_korea", {"nano", "micro"}) > 0.85
    # Latin America: vivid colors; Europe: neutrals.
    assert _share(by_color, "latin_america", vivid) > 2 * _share(by_color, "europe", vivid)
    assert _share(by_color, "europe", neutral) > _share(by_color, "japan_korea", neutral)
    # Belt bags in Latin America rather than in Europe; micro totes in Europe and the US.
    belt = {r: _share(by_type, r, {"belt_bag"}) for r in regions}
    assert belt["latin_america"] > 2 * belt["europe"]
    totes = {r: _share(by_type, r, {"micro_tote"}) for r in regions}
    assert totes["europe"] > totes["latin_america"] and totes["us"] > totes["latin_america"]


def test_segments_order_as_the_brief_says(demo):
    with demo.db.session() as s:
        rows = s.execute(
            select(Company.segment, Order.id, func.sum(OrderLine.quantity))
            .join(Order, Order.company_id == Company.id)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(Order.status != "cancelled")
            .group_by(Company.segment, Order.id)
        ).all()
        companies = dict(
            s.execute(
                select(Company.segment, func.count(Company.id)).group_by(Company.segment)
            ).all()
        )
    units = defaultdict(list)
    for segment, _, qty in rows:
        units[segment].append(qty)
    avg = {seg: sum(v) / len(v) for seg, v in units.items()}
    per_company = {seg: len(units[seg]) / companies[seg] for seg in units}
    # Department stores and distributors place bigger orders than boutiques...
    assert avg["department_store"] > 3 * avg["boutique"]
    assert avg["distributor"] > 3 * avg["boutique"]
    # ...boutiques and e-commerce sellers order more often.
    assert per_company["boutique"] > 1.5 * per_company["distributor"]
    assert per_company["ecommerce"] > 1.5 * per_company["department_store"]


def test_limited_editions_never_oversold_and_drafts_never_ordered(demo):
    with demo.db.session() as s:
        sold = dict(
            s.execute(
                select(Style.id, func.sum(OrderLine.quantity))
                .join(Sku, Sku.style_id == Style.id)
                .join(OrderLine, OrderLine.sku_id == Sku.id)
                .join(Order, Order.id == OrderLine.order_id)
                .where(Style.is_limited_edition.is_(True), Order.status != "cancelled")
                .group_by(Style.id)
            ).all()
        )
        for style in s.scalars(select(Style).where(Style.is_limited_edition.is_(True))):
            assert sold.get(style.id, 0) <= style.edition_size
        drafts_ordered = s.scalar(
            select(func.count(OrderLine.id))
            .join(Sku, Sku.id == OrderLine.sku_id)
            .where(Sku.lifecycle == "draft")
        )
    assert drafts_ordered == 0


def test_credit_left_on_every_account(demo):
    with demo.db.session() as s:
        for company in s.scalars(select(Company).where(Company.payment_terms_days.is_not(None))):
            unpaid = s.scalar(
                select(func.coalesce(func.sum(Order.total_minor), 0)).where(
                    Order.company_id == company.id,
                    Order.paid_at.is_(None),
                    Order.status.not_in(("draft", "cancelled")),
                )
            )
            assert unpaid <= 0.5 * company.credit_limit_minor


def test_a_second_load_is_refused(demo):
    with demo.db.session(write=True) as s, pytest.raises(DomainError) as exc:
        load_demo(s, size="small", seed=1, now=demo.now)
    assert exc.value.items[0].code == "database_not_empty"


def test_summary_matches_the_database(demo):
    with demo.db.session() as s:
        assert demo.summary.counts["orders"] == s.scalar(select(func.count(Order.id)))
        assert demo.summary.counts["order_events"] == s.scalar(select(func.count(OrderEvent.id)))
        assert demo.summary.counts["skus"] == s.scalar(select(func.count(Sku.id)))
    assert sum(demo.summary.orders_by_status.values()) == demo.summary.counts["orders"]


def _fingerprint(db):
    with db.session() as s:
        codes = s.scalars(select(Sku.code).order_by(Sku.id)).all()
        totals = s.execute(
            select(Order.created_at, Order.status, Order.total_minor).order_by(Order.id)
        ).all()
        stock = s.execute(
            select(StockLevel.sku_id, StockLevel.on_hand, StockLevel.reserved).order_by(
                StockLevel.sku_id, StockLevel.warehouse_id
            )
        ).all()
        emails = s.scalars(select(User.email).order_by(User.id)).all()
    return codes, [tuple(t) for t in totals], [tuple(r) for r in stock], emails


def test_same_seed_same_data(demo, tmp_path):
    """A second load with the same seed and time, on a fresh SQLite file, is identical."""
    from .conftest import SEED

    other = Database(f"sqlite:///{tmp_path / 'again.db'}")
    models.Base.metadata.create_all(other.engine)
    try:
        with other.session(write=True) as s:
            load_demo(s, size="small", seed=SEED, now=demo.now)
        assert _fingerprint(other) == _fingerprint(demo.db)
    finally:
        other.dispose()


def test_another_seed_other_catalog(tmp_path):
    def codes(seed: int) -> list[str]:
        database = Database(f"sqlite:///{tmp_path / f'c{seed}.db'}")
        models.Base.metadata.create_all(database.engine)
        try:
            with database.session(write=True) as s:
                catalog = build_catalog(
                    random.Random(seed),
                    BulkWriter(s),
                    date(2026, 11, 27),
                    min_styles=60,
                    min_skus=400,
                    core=(60, 400),
                )
            return [k.code for k in catalog.skus]
        finally:
            database.dispose()

    assert codes(1) == codes(1)
    assert codes(1) != codes(2)


def test_new_rows_get_fresh_ids_after_the_load(demo):
    """Ids were assigned by the loader; PostgreSQL's sequences must have moved past them."""
    with demo.db.engine.connect() as conn:
        for model, row in (
            (Warehouse, {"code": "NEW", "name": "New", "country": "US"}),
            (
                Order,
                {"company_id": 1, "status": "draft", "currency": "USD", "created_at": demo.now},
            ),
            (PriceTier, {"item_id": 1, "min_quantity": 99_999, "unit_price_minor": 1}),
        ):
            new_id = conn.execute(insert(model).values(**row).returning(model.id)).scalar_one()
            assert (
                new_id > conn.execute(select(func.max(model.id)).where(model.id != new_id)).scalar()
            )
        conn.rollback()


def test_compliance_documents_are_seeded_as_real_pdfs(demo):
    from sqlalchemy.orm import undefer

    from microbag.compliance.models import ComplianceDocument
    from microbag.compliance.policies import KINDS, REGIONS, validate_file
    from microbag.demo.compliance import tiny_pdf

    with demo.db.session() as s:
        docs = list(s.scalars(select(ComplianceDocument).options(undefer(ComplianceDocument.data))))
        assert len(docs) == demo.summary.counts["compliance_documents"] >= 9
        # Every buyer market has a document, and the portal has an expired one to flag.
        assert {d.region for d in docs} == set(REGIONS)
        assert {d.kind for d in docs} <= set(KINDS)
        assert any(d.valid_until and d.valid_until < demo.now.date() for d in docs)
        for d in docs:
            assert validate_file(d.content_type, d.data) is None
            assert d.data.rstrip().endswith(b"%%EOF") and d.size_bytes == len(d.data)
    pdf = tiny_pdf("Test (1)", ["a line"])
    # The cross-reference table points at each object.
    start = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert pdf[start:].startswith(b"xref")
    offsets = [int(line[:10]) for line in pdf[start:].split(b"\n")[3:8]]
    assert [pdf[o:].split(b" ", 1)[0] for o in offsets] == [b"1", b"2", b"3", b"4", b"5"]
    assert b"(Test \\(1\\)) Tj" in pdf


def test_issue_11_features_through_the_services(demo):
    """Warehouse regions, addresses and order terms, preorders, backorders, shipments and
    drops, as a new user sees them after ``make run``."""
    from microbag.buyers.models import CompanyAddress
    from microbag.buyers.policies import address_errors
    from microbag.drops.models import Drop, DropRequest
    from microbag.notifications.models import MailMessage
    from microbag.orders.models import Shipment
    from microbag.shipping.policies import tracking_number_errors
    from microbag.stock.regions import regions_by_warehouse

    with demo.db.session() as s:
        assert regions_by_warehouse(s) == {
            "US-NJ": {"us": 1, "latin_america": 1},
            "EU-NL": {"europe": 1, "middle_east": 1},
            "ASIA-HK": {"japan_korea": 1, "china": 1, "other": 1},
        }
        companies = {c.id: c for c in s.scalars(select(Company))}
        addresses = s.scalars(select(CompanyAddress)).all()
        lines = s.execute(
            select(OrderLine, Company.name)
            .join(Order, Order.id == OrderLine.order_id)
            .join(Company, Company.id == Order.company_id)
        ).all()
        orders = {o.id: o for o in s.scalars(select(Order).where(Order.status != "delivered"))}
        every = s.scalars(select(Shipment).order_by(Shipment.order_id, Shipment.number)).all()
        # The history's shipped orders left whole, before carriers were recorded: one
        # shipment each, no carrier; the shipments made through the services name theirs.
        sent = [sh for sh in every if sh.carrier]
        history = [sh for sh in every if not sh.carrier]
        assert history and all(sh.number == 1 and sh.tracking_number for sh in history)
        drops = {d.status: d for d in s.scalars(select(Drop))}
        requests = s.scalars(select(DropRequest)).all()
        mails = s.scalar(select(func.count(MailMessage.id)))
    # Every company: one default bill-to and ship-to, valid for its country; big ones two ship-tos.
    for company in companies.values():
        mine = [a for a in addresses if a.company_id == company.id]
        for kind in ("billing", "shipping"):
            assert sum(1 for a in mine if a.kind == kind and a.is_default) == 1
        big = company.segment in ("department_store", "distributor")
        assert sum(1 for a in mine if a.kind == "shipping") == (2 if big else 1)
        assert all(a.country == company.country for a in mine)
        assert company.po_number_required == (company.segment == "department_store")
        if company.region == "middle_east":
            assert company.incoterm_default == "DDP"
    for a in addresses:
        fields = {k: getattr(a, k) for k in ("kind", "line1", "city", "postal_code", "country")}
        assert address_errors(fields) == [], fields
    # Preorders wait for a batch, backorders for the units stock lacked.
    preorders = [(ln, name) for ln, name in lines if ln.fulfilment == "preorder"]
    backorders = [(ln, name) for ln, name in lines if ln.fulfilment == "backorder"]
    assert len(preorders) >= 2 and len(backorders) >= 2
    assert all(ln.waiting_quantity == ln.quantity and ln.incoming_id for ln, _ in preorders)
    assert all(ln.promised_from > demo.now.date() for ln, _ in preorders)
    assert all(0 < ln.waiting_quantity < ln.quantity for ln, _ in backorders)
    assert any(name.startswith("Atelier Lumière") for _, name in preorders)
    assert any(name.startswith("Hudson & Pine") for _, name in backorders)
    # One order partly shipped, one shipped in two shipments (the first delivered).
    by_order = defaultdict(list)
    for shipment in sent:
        by_order[shipment.order_id].append(shipment)
        assert tracking_number_errors(shipment.carrier, shipment.tracking_number) == []
        assert as_utc(shipment.shipped_at) <= demo.now
    statuses = {orders[o].status: shipped for o, shipped in by_order.items()}
    assert len(statuses["partly_shipped"]) == 1
    assert [sh.status for sh in statuses["shipped"]] == ["delivered", "shipped"]
    assert {sh.carrier for sh in sent} == {"dhl_express", "ups"}
    # An open drop ahead of its embargo with requests, and an allocated one in the past.
    assert set(drops) == {"open", "allocated"}
    assert as_utc(drops["open"].embargo_at) > demo.now
    assert as_utc(drops["allocated"].embargo_at) < demo.now
    assert {r.drop_id for r in requests} == {d.id for d in drops.values()}
    assert set(drops["open"].segments) == {"boutique", "department_store"}
    assert mails == 0  # loading the demo mails nobody
    for table in ("company_addresses", "warehouse_regions", "shipments", "drops"):
        assert demo.summary.counts[table] > 0
