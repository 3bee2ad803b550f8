"""Where a plan's demand comes from: the latest forecast over the season's weeks, else
the same weeks last year, else a prior from similar SKUs; and what the lines say."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from microbag.forecasting.models import Forecast, ForecastRun
from microbag.knowledge.facts import shipped_knowledge
from microbag.rangeplan.candidates import build_candidates, season_window
from microbag.rangeplan.planning import run_plan
from microbag.stock.models import IncomingStock

from ..factories import add_history_order
from .test_service import TODAY, request, with_costs


def seed_demand(db, world) -> None:
    """Costs for the test world's SKUs, a forecast of 30 a week for the gold clutch over
    half of holiday 2026 and 90 black clutches sold in last year's holiday weeks."""
    with_costs(db)
    window = season_window("holiday", 2026, None)
    with db.session(write=True) as s:
        run = ForecastRun(horizon=8, engine="local", params={})
        s.add(run)
        s.flush()
        for week in window.weeks[: len(window.weeks) // 2]:
            s.add(
                Forecast(
                    run_id=run.id,
                    level="sku",
                    unique_id="MC-001-GLD",
                    week_start=week,
                    mean=30.0,
                    lo80=20.0,
                    hi80=40.0,
                    model="AutoETS",
                )
            )
        when = datetime.combine(window.weeks[1] - timedelta(weeks=52), datetime.min.time(), UTC)
        add_history_order(s, world.company_a, world.skus["MC-001-BLK"], "MC-001-BLK", 90, when)


def test_forecast_then_last_year_then_prior(db, world) -> None:
    seed_demand(db, world)
    window = season_window("holiday", 2026, None)
    with db.session() as s:
        found = build_candidates(s, request(), shipped_knowledge(), TODAY)
    ev = found.evidence
    assert ev["MC-001-GLD"].basis == "forecast"
    assert abs(ev["MC-001-GLD"].mean - 30.0 * len(window.weeks)) < 1e-6
    assert ev["MC-001-GLD"].lo80 < ev["MC-001-GLD"].mean < ev["MC-001-GLD"].hi80
    assert (ev["MC-001-BLK"].basis, ev["MC-001-BLK"].mean) == ("history", 90.0)
    assert ev["MT-001-RED"].basis == "prior" and ev["MT-001-RED"].mean > 0
    with db.session(write=True) as s:
        plan = run_plan(s, request(budget_minor=2_000_000), shipped_knowledge(), today=TODAY)
        lines = {ln.sku_code: ln for ln in plan.lines}
        gold = lines["MC-001-GLD"]
        assert gold.basis == "forecast"
        assert gold.reasons[0].startswith(f"forecast {30 * len(window.weeks)} units")
        assert "80% interval" in gold.reasons[0]
        assert gold.units_to_buy > 0  # forecast far above the 100 on hand
        assert any(r.startswith("buy ") for r in gold.reasons)
        assert lines["MC-001-BLK"].reasons[0] == "sold 90 units in the same weeks last year"


def test_incoming_counts_only_when_it_arrives_by_the_ship_window(db, world) -> None:
    with_costs(db)
    window = season_window("holiday", 2026, None)
    assert window.ship_by == date(2026, 10, 4)
    with db.session(write=True) as s:
        for code, qty, expected, received in (
            ("MC-001-BLK", 50, date(2026, 9, 20), None),  # counts
            ("MT-001-RED", 70, date(2026, 10, 20), None),  # after the ship window
            ("CB-001-TAN", 30, date(2026, 9, 1), datetime(2026, 9, 2, tzinfo=UTC)),  # on hand
        ):
            s.add(
                IncomingStock(
                    sku_id=world.skus[code],
                    warehouse_id=world.warehouse,
                    quantity=qty,
                    expected_date=expected,
                    received_at=received,
                )
            )
    with db.session() as s:
        found = build_candidates(s, request(), shipped_knowledge(), TODAY)
    free = {i.sku: i.free_units for i in found.instance.skus}
    # 100 on hand each; the gold clutch's batch of 2030 is too late.
    assert free == {"MC-001-GLD": 100, "MC-001-BLK": 150, "MT-001-RED": 100, "CB-001-TAN": 100}
