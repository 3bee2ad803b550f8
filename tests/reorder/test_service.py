"""Reorder suggestions from a known forecast and stock: levels, rounding, supplier
choice, units on order, the sales fallback and the split over warehouses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from microbag.errors import DomainError
from microbag.forecasting.models import Forecast, ForecastRun
from microbag.orders.models import Order, OrderAllocation
from microbag.reorder import service
from microbag.stock.models import StockLevel, Warehouse
from tests.factories import World, add_history_order
from tests.sourcing_data import add_po, add_supplier, add_supplier_price

TODAY = date(2026, 12, 7)  # a Monday
MONDAY = TODAY
SIGMA = 4.0


@dataclass(frozen=True)
class FakeStanding:
    level: str
    score: float | None
    reason: str


def add_forecast(
    s,
    code: str,
    mean: float = 10.0,
    sigma: float = SIGMA,
    weeks: int = 8,
    run_id: int | None = None,
) -> int:
    """SKU-level forecasts of ``code`` from this week on, in a new run or ``run_id``."""
    run = (
        s.get(ForecastRun, run_id)
        if run_id
        else ForecastRun(horizon=weeks, engine="local", params={})
    )
    s.add(run)
    s.flush()
    half = 1.2816 * sigma
    for w in range(weeks):
        s.add(
            Forecast(
                run_id=run.id,
                level="sku",
                unique_id=code,
                week_start=MONDAY + timedelta(weeks=w),
                mean=mean,
                lo80=max(0.0, mean - half),
                hi80=mean + half,
                model="AutoETS",
            )
        )
    s.flush()
    return run.id


def set_on_hand(s, world: World, code: str, on_hand: int, warehouse_id: int | None = None) -> None:
    s.execute(
        update(StockLevel)
        .where(
            StockLevel.sku_id == world.skus[code],
            StockLevel.warehouse_id == (warehouse_id or world.warehouse),
        )
        .values(on_hand=on_hand, reserved=0)
    )


def known_setup(db, world: World, *, lead_days: int = 21, on_hand: int = 20) -> None:
    """MT-001-RED: 10 a week forecast (sigma 4), ``on_hand`` at MAIN; one supplier,
    MOQ 50, case pack 10, lead time ``lead_days``."""
    with db.session(write=True) as s:
        add_forecast(s, "MT-001-RED")
        set_on_hand(s, world, "MT-001-RED", on_hand)
        sup = add_supplier(s, "GZ-01", lead_time_days=lead_days)
        add_supplier_price(s, sup, world.skus["MT-001-RED"], 1_200, moq=50, case_pack=10)


def one(lines, sku: str = "MT-001-RED", warehouse: str = "MAIN"):
    found = [ln for ln in lines if ln.sku == sku and ln.warehouse == warehouse]
    assert len(found) == 1, lines
    return found[0]


def test_known_forecast_and_stock_give_the_expected_levels(db, world) -> None:
    known_setup(db, world)
    with db.session() as s:
        line = one(service.suggestions(s, service_level=0.95, today=TODAY, include_all=True))
    # z(0.95) = 1.6449; lead 3 weeks + review 1 week: safety = 1.6449 * 4 * 2 = 13.16.
    assert line.safety_stock == 14
    assert line.reorder_point == 44  # 3 * 10 + 13.16, rounded up
    assert line.order_up_to == 54  # 4 * 10 + 13.16
    assert line.inventory_position == 20 and line.on_hand == 20
    assert line.raw_quantity == 34
    assert line.quantity == 50  # up to the MOQ (a multiple of the case pack)
    assert line.supplier == "GZ-01" and line.lead_time_days == 21
    assert line.urgent and line.basis.startswith("forecast run")
    assert isinstance(line.quantity, int) and isinstance(line.reorder_point, int)


def test_higher_service_level_means_more_safety_stock(db, world) -> None:
    known_setup(db, world)
    with db.session() as s:
        low = one(service.suggestions(s, service_level=0.8, today=TODAY, include_all=True))
        high = one(service.suggestions(s, service_level=0.99, today=TODAY, include_all=True))
    assert low.safety_stock < high.safety_stock
    assert low.order_up_to < high.order_up_to


def test_case_pack_rounds_up_above_the_moq(db, world) -> None:
    known_setup(db, world, on_hand=0)
    with db.session(write=True) as s:
        s.execute(update(service.Supplier).values(default_lead_time_days=21))
        from microbag.suppliers.models import SupplierPrice

        s.execute(update(SupplierPrice).values(moq=12, case_pack=12))
    with db.session() as s:
        line = one(service.suggestions(s, service_level=0.95, today=TODAY))
    assert line.raw_quantity == 54 and line.quantity == 60  # 5 packs of 12
    assert (line.moq, line.case_pack) == (12, 12)


def test_enough_stock_orders_nothing(db, world) -> None:
    known_setup(db, world, on_hand=100)
    with db.session() as s:
        assert service.suggestions(s, service_level=0.95, today=TODAY, sku="MT-001-RED") == []
        line = one(
            service.suggestions(
                s, service_level=0.95, today=TODAY, sku="MT-001-RED", include_all=True
            )
        )
    assert line.quantity == 0 and not line.urgent


def test_units_on_order_and_other_incoming_count_in_the_position(db, world) -> None:
    known_setup(db, world)
    with db.session(write=True) as s:
        sup = s.scalars(select(service.Supplier)).one()
        add_po(
            s,
            sup,
            world.warehouse,
            [(world.skus["MT-001-RED"], "MT-001-RED", 30, 1_200)],
            status="sent",
        )
        add_po(
            s,
            sup,
            world.warehouse,
            [(world.skus["MT-001-RED"], "MT-001-RED", 500, 1_200)],
            status="draft",
        )
    with db.session() as s:
        line = one(service.suggestions(s, service_level=0.95, today=TODAY))
    assert line.on_order == 30 and line.drafted == 500  # drafts are not orders yet
    assert line.inventory_position == 50
    assert line.raw_quantity == 4 and line.quantity == 50
    assert any("already on draft" in w for w in line.warnings)
    with db.session() as s:  # the world's incoming batch (not from a PO) counts for MC-001-GLD
        add = service.stock_positions(s, [world.skus["MC-001-GLD"]])
    assert add[(world.skus["MC-001-GLD"], world.warehouse)].incoming == 120


def test_cheapest_landed_supplier_wins_and_very_poor_is_skipped(db, world, monkeypatch) -> None:
    known_setup(db, world)
    with db.session(write=True) as s:
        cheap = add_supplier(s, "VN-01", country="VN", region="Ho Chi Minh", lead_time_days=28)
        add_supplier_price(s, cheap, world.skus["MT-001-RED"], 900, moq=20, case_pack=5)
        cheap_id = cheap.id
    with db.session() as s:
        line = one(service.suggestions(s, service_level=0.95, today=TODAY))
    assert line.supplier == "VN-01" and line.lead_time_days == 28
    assert (line.moq, line.case_pack) == (20, 5)
    # lead 4 weeks + review 1: safety 1.6449 * 4 * sqrt(5) = 14.71 -> OUT = 50 + 14.71
    assert line.order_up_to == 65 and line.quantity == 45

    def standings(session, ids, today):
        return {
            i: FakeStanding("very_poor" if i == cheap_id else "good", 20.0, "late 7 of 10 times")
            for i in ids
        }

    monkeypatch.setattr(service, "supplier_standings", standings)
    with db.session() as s:
        line = one(service.suggestions(s, service_level=0.95, today=TODAY))
    assert line.supplier == "GZ-01"


def test_poor_supplier_only_when_no_other_and_flagged(db, world, monkeypatch) -> None:
    known_setup(db, world)
    monkeypatch.setattr(
        service,
        "supplier_standings",
        lambda session, ids, today: {i: FakeStanding("poor", 35.0, "on-time 41%") for i in ids},
    )
    with db.session() as s:
        line = one(service.suggestions(s, service_level=0.95, today=TODAY))
    assert line.supplier == "GZ-01"
    assert any("stands poor: on-time 41%" in w for w in line.warnings)


def test_capacity_decides_adequacy(db, world) -> None:
    known_setup(db, world)
    with db.session(write=True) as s:
        small = add_supplier(s, "TINY", capacity=40)
        add_supplier_price(
            s, small, world.skus["MT-001-RED"], 500, moq=1, case_pack=1, lead_time_days=21
        )
    with db.session() as s:
        line = one(service.suggestions(s, service_level=0.95, today=TODAY))
    assert line.supplier == "TINY" and line.quantity == 34  # within its 40 a month
    with db.session(write=True) as s:
        s.execute(
            update(service.Supplier)
            .where(service.Supplier.code == "TINY")
            .values(monthly_capacity_units=30)
        )
    with db.session() as s:
        line = one(service.suggestions(s, service_level=0.95, today=TODAY))
    assert line.supplier == "GZ-01" and line.quantity == 50


def test_no_supplier_is_said(db, world) -> None:
    with db.session(write=True) as s:
        add_forecast(s, "CB-001-TAN", mean=40.0)
    with db.session() as s:
        line = one(service.suggestions(s, service_level=0.95, today=TODAY), "CB-001-TAN")
    assert line.supplier is None and line.quantity > 0
    assert "no supplier offers this SKU today" in line.warnings


def test_without_forecasts_recent_sales_are_the_demand(db, world) -> None:
    with db.session(write=True) as s:
        for week in range(1, 7):  # 6 weeks of 20 units in the last 12: 10 a week
            when = datetime(2026, 12, 2, 12, tzinfo=UTC) - timedelta(weeks=week - 1)
            add_history_order(s, world.company_a, world.skus["CB-001-TAN"], "CB-001-TAN", 20, when)
        set_on_hand(s, world, "CB-001-TAN", 0)
        sup = add_supplier(s, "IN-01", country="IN", lead_time_days=14)
        add_supplier_price(s, sup, world.skus["CB-001-TAN"], 800, moq=1, case_pack=1)
    with db.session() as s:
        line = one(service.suggestions(s, service_level=0.95, today=TODAY), "CB-001-TAN")
    assert line.basis.startswith("sales of the last 12 weeks")
    assert line.weekly_demand == pytest.approx(10.0)
    assert line.order_up_to >= 30 and line.quantity == line.order_up_to


def test_demand_is_split_by_the_warehouses_that_ship(db, world) -> None:
    known_setup(db, world, on_hand=0)
    with db.session(write=True) as s:
        east = Warehouse(code="EAST", name="East", country="US")
        s.add(east)
        s.flush()
        for wh, qty in ((world.warehouse, 30), (east.id, 10)):
            order = add_history_order(
                s,
                world.company_a,
                world.skus["MT-001-RED"],
                "MT-001-RED",
                qty,
                datetime(2026, 11, 2, tzinfo=UTC),
            )
            s.flush()
            s.add(OrderAllocation(line_id=order.lines[0].id, warehouse_id=wh, quantity=qty))
    with db.session() as s:
        lines = service.suggestions(s, service_level=0.95, today=TODAY)
    main, east_line = one(lines), one(lines, warehouse="EAST")
    assert main.weekly_demand == pytest.approx(7.5) and east_line.weekly_demand == pytest.approx(
        2.5
    )
    assert "75% of the SKU's demand" in main.basis
    with db.session() as s:
        only_east = service.suggestions(s, service_level=0.95, today=TODAY, warehouse="EAST")
    assert {ln.warehouse for ln in only_east} == {"EAST"}
    assert Order  # the allocation's order is a real placed order


def test_bad_inputs_have_specific_errors(db, world) -> None:
    with db.session() as s:
        for kwargs, code in (
            ({"service_level": 1.2}, "invalid_service_level"),
            ({"service_level": 0.3}, "invalid_service_level"),
            ({"sku": "NOPE"}, "unknown_sku"),
            ({"warehouse": "NOPE"}, "unknown_warehouse"),
            ({"supplier": "NOPE"}, "unknown_supplier"),
        ):
            with pytest.raises(DomainError) as err:
                service.suggestions(s, today=TODAY, **kwargs)
            assert err.value.items[0].code == code


def test_a_moq_far_above_demand_is_flagged(db, world) -> None:
    with db.session(write=True) as s:
        add_forecast(s, "MT-001-RED", mean=1.0, sigma=0.5)
        set_on_hand(s, world, "MT-001-RED", 0)
        sup = add_supplier(s, "IT-01", country="IT", currency="EUR", lead_time_days=21)
        add_supplier_price(s, sup, world.skus["MT-001-RED"], 4_000, moq=60, case_pack=6)
    with db.session() as s:
        line = one(service.suggestions(s, service_level=0.95, today=TODAY))
    assert line.raw_quantity == 6 and line.quantity == 60
    assert "MOQ 60 / case pack 6 buy about 60 weeks of demand" in line.warnings
    assert line.currency == "EUR" and line.unit_cost_minor == 4_000
