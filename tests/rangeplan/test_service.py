"""Unit costs (import all-or-nothing, history, margins) and range plans on the database."""

from __future__ import annotations

from datetime import date

import pytest

from microbag.errors import DomainError
from microbag.knowledge.facts import shipped_knowledge
from microbag.rangeplan import service
from microbag.rangeplan.candidates import build_candidates, season_window
from microbag.rangeplan.planning import run_plan
from microbag.rangeplan.policies import PlanLine, check_plan
from microbag.rangeplan.schemas import BoundIn, RangePlanRequest

CODES = ("MC-001-GLD", "MC-001-BLK", "MT-001-RED", "CB-001-TAN")
TODAY = date(2026, 9, 1)


def costs_csv(rows: list[str]) -> bytes:
    return ("sku,unit_cost,currency,effective_from\n" + "\n".join(rows) + "\n").encode()


def with_costs(db, cost: str = "18.00") -> None:
    rows = [f"{code},{cost},EUR,2026-01-01" for code in CODES]
    with db.session(write=True) as s:
        result = service.import_costs(s, costs_csv(rows), "costs.csv", by="merch@seller.test")
    assert result.rows == 4


def test_cost_import_is_all_or_nothing_and_names_bad_rows(db, world) -> None:
    bad = costs_csv(
        [
            "MC-001-GLD,18.00,EUR,2026-01-01",
            "NOPE-1,18.00,EUR,2026-01-01",
            "MC-001-BLK,18.001,EUR,2026-01-01",
            "MT-001-RED,18,EUR,01/01/2026",
            "CB-001-TAN,18,EURO,2026-01-01",
        ]
    )
    with pytest.raises(DomainError) as caught, db.session(write=True) as s:
        service.import_costs(s, bad, "costs.csv")
    found = {(e.line, e.code) for e in caught.value.items}
    assert found == {
        (3, "unknown_sku"),
        (4, "invalid_cost"),
        (5, "invalid_date"),
        (6, "invalid_currency"),
    }
    with db.session() as s:
        assert service.current_cost(s, "MC-001-GLD") is None  # nothing written


def test_missing_columns_and_duplicates_are_refused(db, world) -> None:
    with pytest.raises(DomainError) as caught, db.session(write=True) as s:
        service.import_costs(s, b"sku,unit_cost\nMC-001-GLD,1\n", "c.csv")
    assert caught.value.items[0].code == "missing_columns"
    twice = costs_csv(["MC-001-GLD,1,EUR,2026-01-01", "MC-001-GLD,2,EUR,2026-01-01"])
    with pytest.raises(DomainError) as caught, db.session(write=True) as s:
        service.import_costs(s, twice, "c.csv")
    assert [(e.line, e.code) for e in caught.value.items] == [(3, "duplicate_row")]


def test_the_current_cost_is_the_latest_effective_and_margins_need_the_same_currency(
    db, world
) -> None:
    rows = [
        "MC-001-GLD,10.00,EUR,2026-01-01",
        "MC-001-GLD,12.00,EUR,2026-06-01",
        "MC-001-GLD,99.00,EUR,2027-01-01",
    ]
    with db.session(write=True) as s:
        service.import_costs(s, costs_csv(rows), "c.csv")
    with db.session() as s:
        assert service.current_cost(s, "MC-001-GLD", TODAY).unit_cost_minor == 1200
        assert len(service.cost_history(s, "MC-001-GLD")) == 3
        cost = service.current_cost(s, "MC-001-GLD", TODAY)
    eur = service.margin(4500, "EUR", cost)
    assert (eur.amount_minor, round(eur.percent, 3), eur.note) == (3300, 0.733, "")
    assert service.margin(4500, "USD", cost).note == "no cost"
    assert service.margin(4500, "EUR", None).note == "no cost"


def test_a_season_window_wraps_the_new_year() -> None:
    window = season_window("summer", 2026, "latin_america")
    assert (window.first_day, window.last_day) == (date(2026, 12, 1), date(2027, 2, 28))
    assert window.ship_by < window.first_day


def request(**overrides) -> RangePlanRequest:
    values = dict(
        season="holiday",
        year=2026,
        currency="EUR",
        budget_minor=1_000_000,
        knowledge_defaults=False,
        time_limit_s=5,
    )
    values.update(overrides)
    return RangePlanRequest(**values)


def test_a_plan_is_solved_checked_explained_saved_and_compared(db, world) -> None:
    with_costs(db)
    knowledge = shipped_knowledge()
    with db.session(write=True) as s:
        first = run_plan(s, request(year=2025), knowledge, by="merch", today=TODAY)
        second = run_plan(s, request(max_styles=2), knowledge, by="merch", today=TODAY)
        second_id = second.id
        found = build_candidates(s, request(max_styles=2), knowledge, TODAY)
        lines = [
            PlanLine(ln.sku_code, ln.units_to_buy // found.instance.skus[0].case_pack)
            for ln in second.lines
        ]
        assert check_plan(found.instance, lines) == []
        assert first.status == second.status == "optimal"
        assert second.gap is not None and second.gap <= 0.001
        assert second.objective >= (second.greedy_objective or 0) - 1e-6
        assert len({ln.style_code for ln in second.lines}) <= 2
        for line in second.lines:
            assert line.units == line.free_units + line.units_to_buy
            assert line.reasons and "margin" in " ".join(line.reasons)
        bought = service.purchase_quantities(second)
        assert bought == [(ln.sku_code, ln.units_to_buy) for ln in second.lines if ln.units_to_buy]
    with db.session() as s:
        plan = service.get_plan(s, second_id)
        comparison = service.compare(s, plan)
        assert comparison is not None and comparison.previous_year == 2025
        text = service.export_plan(plan, "csv").decode()
        assert text.splitlines()[0].startswith("rank,sku,style,units,units_to_buy")
        assert service.export_plan(plan, "xlsx")[:2] == b"PK"


def test_an_infeasible_plan_names_the_conflicting_constraints(db, world) -> None:
    with_costs(db)
    impossible = request(bounds=[BoundIn(group="bag_type:micro_tote", min_count=2)], max_styles=3)
    with db.session(write=True) as s:
        plan = run_plan(s, impossible, shipped_knowledge(), today=TODAY)
        assert plan.status == "infeasible"
        assert plan.lines == []
        assert plan.conflicts["constraints"] == ["min_count:bag_type:micro_tote"]
        assert "at least 2 SKUs of bag type Micro tote" in plan.conflicts["described"][0]


def test_no_costs_no_plan(db, world) -> None:
    with pytest.raises(DomainError) as caught, db.session(write=True) as s:
        run_plan(s, request(), shipped_knowledge(), today=TODAY)
    assert caught.value.items[0].code == "no_candidates"
