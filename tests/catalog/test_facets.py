"""Facet counts in one grouped pass: the same numbers as counting each facet on its own."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import distinct, event, func, select

from microbag.accounts.principal import Principal
from microbag.catalog import listing
from microbag.catalog.facets import FACET_COLUMNS, FACETS, FacetValue, facet_counts
from microbag.catalog.listing import SkuFilters
from microbag.catalog.models import Sku, Style, StyleOccasion
from microbag.stock.models import IncomingStock, StockLevel, Warehouse
from tests.factories import add_sku, add_style

TODAY = date(2030, 3, 1)
VALUES = {
    "bag_type": ("micro_clutch", "micro_tote", "belt_bag", "pouch"),
    "size_class": ("micro", "mini", "small"),
    "material": ("calfskin", "canvas", "nylon", "raffia"),
    "color": ("black", "gold", "red", "tan", "ivory"),
    "price_tier": ("luxury", "premium", "mass"),
    "occasion": ("casual", "formal", "bridal", "festival"),
    "season": ("SS26", "AW26", "all_season"),
}
WORDS = ("clutch", "gold", "tote", "cal", "zzz", "mi")


def per_facet_counts(session, filters, principal) -> dict[str, list[FacetValue]]:
    """The answer of the per-facet implementation (one query per facet), kept as the oracle."""
    out: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        selected = set(getattr(filters, name))
        conds = listing.filter_conditions(session, replace(filters, **{name: ()}), principal)
        if name == "occasion":
            stmt = (
                select(StyleOccasion.occasion, func.count(distinct(Sku.id)))
                .select_from(Sku)
                .join(Style, Style.id == Sku.style_id)
                .join(StyleOccasion, StyleOccasion.style_id == Style.id)
                .where(*conds)
                .group_by(StyleOccasion.occasion)
            )
        else:
            column = FACET_COLUMNS[name]
            stmt = (
                select(column, func.count())
                .select_from(Sku)
                .join(Style, Style.id == Sku.style_id)
                .where(*conds)
                .group_by(column)
            )
        counts = {str(value): int(n) for value, n in session.execute(stmt)}
        for value in selected:
            counts.setdefault(value, 0)
        out[name] = [FacetValue(v, counts[v], v in selected) for v in sorted(counts)]
    return out


def build_catalog(db) -> None:
    """About 90 SKUs over 30 styles with every facet value, lifecycle and stock state mixed."""
    rng = random.Random(8)
    with db.session(write=True) as s:
        warehouses = [Warehouse(code=f"W{i}", name=f"Warehouse {i}") for i in range(2)]
        s.add_all(warehouses)
        s.flush()
        for i in range(30):
            style = add_style(
                s,
                f"ST-{i:03d}",
                rng.choice(VALUES["bag_type"]),
                (150, 100, 40),
                price_tier=rng.choice(VALUES["price_tier"]),
                season=rng.choice(VALUES["season"]),
                size_class=rng.choice(VALUES["size_class"]),
                # Some styles have no occasion, some several.
                occasions=tuple(rng.sample(VALUES["occasion"], rng.randint(0, 3))),
                name=f"{rng.choice(('Gala', 'City', 'Mini'))} {i}",
            )
            style.lifecycle = rng.choice(("active",) * 5 + ("draft", "discontinued"))
            for j in range(rng.randint(1, 5)):
                sku = add_sku(
                    s,
                    style,
                    f"ST-{i:03d}-{j}",
                    rng.choice(VALUES["color"]),
                    rng.choice(VALUES["material"]),
                )
                sku.lifecycle = rng.choice(("active",) * 6 + ("draft", "discontinued"))
                for w in rng.sample(warehouses, rng.randint(0, 2)):
                    on_hand = rng.choice((0, 5, 20))
                    reserved = rng.choice((0, on_hand))
                    s.add(
                        StockLevel(
                            sku_id=sku.id, warehouse_id=w.id, on_hand=on_hand, reserved=reserved
                        )
                    )
                if rng.random() < 0.4:
                    s.add(
                        IncomingStock(
                            sku_id=sku.id,
                            warehouse_id=warehouses[0].id,
                            quantity=50,
                            expected_date=TODAY + timedelta(days=rng.choice((-10, 5, 30, 90))),
                            received_at=(
                                datetime(2030, 2, 1, tzinfo=UTC) if rng.random() < 0.2 else None
                            ),
                        )
                    )


def _some(name: str) -> st.SearchStrategy[tuple[str, ...]]:
    # A value no SKU has is allowed too: it is listed with 0 while ticked.
    pool = VALUES[name] + ("nothing_has_this",)
    return st.lists(st.sampled_from(pool), max_size=3, unique=True).map(tuple)


filter_sets = st.builds(
    SkuFilters,
    **{name: _some(name) for name in FACETS},
    q=st.none() | st.lists(st.sampled_from(WORDS), min_size=1, max_size=2).map(" ".join),
    in_stock=st.sampled_from((None, None, True, False)),
    ships_by=st.none() | st.sampled_from((TODAY - timedelta(days=3), TODAY + timedelta(days=40))),
    lifecycle=st.sampled_from(((), (), ("active",), ("draft", "discontinued"))),
    today=st.just(TODAY),
)
BUYER = Principal(99, "buyer@a.test", "buyer", 1)
STAFF = Principal(98, "merch@seller.test", "merchandiser", None)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(filters=filter_sets, principal=st.sampled_from((BUYER, STAFF, None)))
def test_grouped_counts_equal_the_per_facet_counts(db, filters, principal):
    if not getattr(db, "_facets_catalog", False):
        build_catalog(db)
        db._facets_catalog = True
    with db.session() as s:
        assert facet_counts(s, filters, principal) == per_facet_counts(s, filters, principal)


@pytest.mark.parametrize(
    ("filters", "statements", "skus_reads"),
    [
        # Nothing ticked, or "in stock": every count comes from the cells kept in advance.
        (SkuFilters(today=TODAY), 1, 0),
        (SkuFilters(in_stock=True, today=TODAY), 1, 0),
        (SkuFilters(in_stock=True, bag_type=("pouch", "belt_bag"), today=TODAY), 1, 1),
        (SkuFilters(in_stock=False, color=("gold",), today=TODAY), 1, 1),
        # "Ships by": the SKUs in stock (cells) plus those arriving (counted live).
        (SkuFilters(ships_by=TODAY + timedelta(days=40), today=TODAY), 2, 1),
        (SkuFilters(ships_by=TODAY + timedelta(days=40), color=("gold", "red"), today=TODAY), 2, 2),
        # Style and SKU facets ticked together, or a text query: one live grouped pass.
        (
            SkuFilters(
                bag_type=("micro_clutch",),
                material=("canvas", "calfskin"),
                occasion=("formal",),
                season=("SS26",),
                in_stock=True,
                today=TODAY,
            ),
            1,
            1,
        ),
        (SkuFilters(q="gold", today=TODAY), 1, 1),
    ],
)
def test_facets_are_counted_in_one_statement_per_stock_part(db, filters, statements, skus_reads):
    build_catalog(db)
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        if "GROUP BY" in statement:  # counting (not planner settings or text-search probes)
            seen.append(statement)

    with db.session() as s:
        expected = per_facet_counts(s, filters, BUYER)
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            got = facet_counts(s, filters, BUYER)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert got == expected
    assert sum(v.count for v in got["color"]) > 0
    assert len(seen) == statements, seen
    reads = [q for q in seen if re.search(r"(FROM|JOIN) skus\b", q)]
    assert len(reads) == skus_reads, reads
