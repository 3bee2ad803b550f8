"""Suggestions into draft purchase orders in one step: grouped per supplier and
warehouse, all or none, repeats harmless; a range plan's units to buy into drafts."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from microbag.errors import DomainError
from microbag.purchasing.models import PurchaseOrder
from microbag.rangeplan.models import RangePlan, RangePlanLine
from microbag.reorder import drafts, service
from tests.factories import World
from tests.sourcing_data import add_supplier, add_supplier_price

from .test_service import TODAY, add_forecast, set_on_hand


def two_suppliers(db, world: World) -> None:
    """GZ-01 is cheapest for the clutches, VN-01 for the tote; all four SKUs need stock."""
    with db.session(write=True) as s:
        gz = add_supplier(s, "GZ-01", lead_time_days=21)
        vn = add_supplier(s, "VN-01", country="VN", lead_time_days=28)
        run_id = None
        for code in ("MC-001-GLD", "MC-001-BLK", "MT-001-RED"):
            run_id = add_forecast(s, code, mean=30.0, run_id=run_id)
            set_on_hand(s, world, code, 0)
        for code, gz_cost, vn_cost in (
            ("MC-001-GLD", 1_000, 1_500),
            ("MC-001-BLK", 1_000, 1_500),
            ("MT-001-RED", 1_500, 1_000),
        ):
            add_supplier_price(s, gz, world.skus[code], gz_cost, moq=50, case_pack=10)
            add_supplier_price(s, vn, world.skus[code], vn_cost, moq=50, case_pack=10)


def test_drafts_are_grouped_per_supplier_and_repeats_make_nothing(db, world) -> None:
    two_suppliers(db, world)
    with db.session(write=True) as s:
        result = drafts.drafts_from_suggestions(s, actor="merch@seller.test", today=TODAY)
        made = [
            (po.supplier_id, sorted(ln.sku_code for ln in po.lines))
            for po in result.purchase_orders
        ]
        assert all(po.status == "draft" and po.source == "reorder" for po in result.purchase_orders)
        lines = {ln.sku_code: ln.quantity for po in result.purchase_orders for ln in po.lines}
    assert len(made) == 2
    assert sorted(codes for _s, codes in made) == [["MC-001-BLK", "MC-001-GLD"], ["MT-001-RED"]]
    assert all(q >= 50 and q % 10 == 0 for q in lines.values())
    # CB-001-TAN has no forecast of its own here (no sales either): nothing to order.
    assert "CB-001-TAN" not in lines
    with db.session(write=True) as s:
        again = drafts.drafts_from_suggestions(s, actor="merch@seller.test", today=TODAY)
        assert again.purchase_orders == []
        assert {k.sku for k in again.skipped} == set(lines)
    with db.session() as s:
        assert len(s.scalars(select(PurchaseOrder)).all()) == 2
        line = next(ln for ln in service.suggestions(s, today=TODAY) if ln.sku == "MT-001-RED")
        assert line.drafted == lines["MT-001-RED"]


def test_only_some_skus_and_unknown_ones_refused(db, world) -> None:
    two_suppliers(db, world)
    with db.session(write=True) as s:
        result = drafts.drafts_from_suggestions(s, actor="t", skus=["MT-001-RED"], today=TODAY)
        assert [[ln.sku_code for ln in po.lines] for po in result.purchase_orders] == [
            ["MT-001-RED"]
        ]
    with db.session(write=True) as s, pytest.raises(DomainError) as err:
        drafts.drafts_from_suggestions(s, actor="t", skus=["NOPE"], today=TODAY)
    assert err.value.items[0].code == "unknown_sku"


def test_all_or_nothing_when_one_draft_fails(db, world, monkeypatch) -> None:
    two_suppliers(db, world)
    from microbag.reorder import drafts as module

    real = module.create_draft
    calls = []

    def second_fails(session, **kwargs):
        calls.append(kwargs["supplier_id"])
        if len(calls) == 2:
            raise DomainError.single("supplier_blocked", "blocked", 409)
        return real(session, **kwargs)

    monkeypatch.setattr(module, "create_draft", second_fails)
    with pytest.raises(DomainError):
        with db.session(write=True) as s:
            drafts.drafts_from_suggestions(s, actor="t", today=TODAY)
    with db.session() as s:
        assert s.scalars(select(PurchaseOrder)).all() == []


def add_plan(db, units: dict[str, int]) -> int:
    with db.session(write=True) as s:
        plan = RangePlan(
            season="holiday",
            year=2027,
            currency="USD",
            budget_minor=1_000_000,
            status="optimal",
            inputs={},
            conflicts={},
        )
        for rank, (code, buy) in enumerate(units.items(), start=1):
            plan.lines.append(
                RangePlanLine(
                    rank=rank,
                    sku_code=code,
                    style_code=code[:6],
                    units=buy,
                    units_to_buy=buy,
                    free_units=0,
                    unit_price_minor=4_500,
                    unit_cost_minor=1_200,
                    expected_sales=buy * 0.8,
                    expected_value=0.0,
                    basis="forecast",
                    demand_mean=buy,
                    demand_lo80=buy * 0.7,
                    demand_hi80=buy * 1.3,
                    reasons=[],
                )
            )
        s.add(plan)
        s.flush()
        return plan.id


def test_range_plan_drafts_round_to_pack_and_are_made_once(db, world) -> None:
    two_suppliers(db, world)
    plan_id = add_plan(db, {"MT-001-RED": 37, "MC-001-GLD": 120, "CB-001-TAN": 10})
    with db.session(write=True) as s:
        result = drafts.plan_drafts(s, plan_id, actor="merch@seller.test", today=TODAY)
        pos = result.purchase_orders
        assert result.created and len(pos) == 2
        assert {po.source for po in pos} == {"range_plan"}
        assert {po.source_ref for po in pos} == {str(plan_id)}
        units = {ln.sku_code: ln.quantity for po in pos for ln in po.lines}
        ids = sorted(po.id for po in pos)
    assert units == {"MT-001-RED": 50, "MC-001-GLD": 120}  # 37 -> MOQ 50
    assert [(k.sku, k.reason) for k in result.skipped] == [
        ("CB-001-TAN", "no supplier offers this SKU")
    ]
    with db.session(write=True) as s:
        again = drafts.plan_drafts(s, plan_id, actor="merch@seller.test", today=TODAY)
        assert not again.created and sorted(po.id for po in again.purchase_orders) == ids
        assert [po.id for po in drafts.drafts_from_range_plan(s, plan_id, actor="x")] == ids


def test_range_plan_unknown_plan_and_warehouse(db, world) -> None:
    plan_id = add_plan(db, {"MT-001-RED": 10})
    with db.session(write=True) as s:
        with pytest.raises(DomainError) as err:
            drafts.plan_drafts(s, 999, actor="t")
        assert err.value.status == 404
        with pytest.raises(DomainError) as err:
            drafts.plan_drafts(s, plan_id, actor="t", warehouse="NOPE")
        assert err.value.items[0].code == "unknown_warehouse"


def test_two_presses_at_once_make_one_set_of_drafts(db, world) -> None:
    two_suppliers(db, world)
    plan_id = add_plan(db, {"CB-001-TAN": 10, "MT-001-RED": 37})
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def press(kind: str) -> None:
        try:
            barrier.wait(timeout=10)
            with db.session(write=True) as s:
                if kind == "reorder":
                    drafts.drafts_from_suggestions(s, actor="t", today=TODAY)
                else:
                    drafts.plan_drafts(s, plan_id, actor="t", today=TODAY)
        except BaseException as exc:
            errors.append(exc)

    for kind in ("reorder", "plan"):
        threads = [threading.Thread(target=press, args=(kind,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        barrier.reset()
    assert not errors, errors
    with db.session() as s:
        pos = s.scalars(select(PurchaseOrder)).all()
        by_source = {
            src: sum(1 for po in pos if po.source == src) for src in ("reorder", "range_plan")
        }
    assert by_source == {"reorder": 2, "range_plan": 1}


def test_draft_notes_count_lines_in_words() -> None:
    from types import SimpleNamespace

    from microbag.reorder.drafts import _notes

    one = [SimpleNamespace(urgent=True)]
    assert _notes("reorder", one) == (  # type: ignore[arg-type]
        "Drafted from reorder suggestions: 1 line, 1 below the reorder point."
    )
    two = [SimpleNamespace(urgent=False), SimpleNamespace(urgent=True)]
    assert "2 lines, 1 below" in _notes("reorder", two)  # type: ignore[arg-type]
