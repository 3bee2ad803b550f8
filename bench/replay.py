"""Reorder suggestions on real demand: the UCI Online Retail weeks replayed through
microbag's order-up-to levels and through a min/max rule like Odoo's (issue 10).

The simulation is ``microbag.reorder.replay`` (no database): last 20 weeks, lead time
3 weeks, weekly review, lost sales, the same SKUs (demand in the 8 weeks before the
replay) and the same starting stock for both. microbag's service level is chosen on the
14 weeks before the replay (the lowest that reaches the min/max rule's fill rate
there), never on the replay's own weeks.

    python -m bench.run --only replay [--quick]
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "online-retail-uci"
QUICK_SKUS = 400  # --quick: the largest SKUs by volume before each window, no pooled fits


def run(pg_url: str | None = None, quick: bool = False) -> dict[str, Any]:
    if not DATA.is_dir():
        return {"replay_skipped": f"no data at {DATA}"}
    from microbag.config import get_settings
    from microbag.reorder.replay import LEAD_WEEKS, read_weekly_demand, replay

    t0 = time.perf_counter()
    data = read_weekly_demand(DATA)
    result = replay(
        data,
        default_service_level=get_settings().reorder_service_level,
        max_skus=QUICK_SKUS if quick else None,
        pooled=not quick,
    )
    out: dict[str, Any] = {
        "replay_fill_rate_microbag": round(result.microbag.fill_rate, 4),
        "replay_fill_rate_minmax": round(result.minmax.fill_rate, 4),
        "replay_avg_stock_microbag": round(result.microbag.avg_stock, 1),
        "replay_avg_stock_minmax": round(result.minmax.avg_stock, 1),
        "replay_stock_reduction": round(result.stock_reduction, 4),
        "replay_goal_met": bool(
            result.microbag.fill_rate >= result.minmax.fill_rate and result.stock_reduction >= 0.20
        ),
        "replay_service_level": result.service_level,
        "replay_skus": result.skus,
        "replay_weeks": result.weeks,
        "replay_first_week": result.first_week.isoformat(),
        "replay_lead_weeks": LEAD_WEEKS,
        "replay_forecast": "Pooled+RollingMedian" if result.pooled else "RollingMedian",
        "replay_orders_microbag": result.microbag.orders,
        "replay_orders_minmax": result.minmax.orders,
        "replay_units_demanded": round(result.microbag.demanded),
        "replay_calibration_fill_minmax": round(result.calibration_minmax[0], 4),
        "replay_calibration_avg_stock_minmax": round(result.calibration_minmax[1], 1),
        "replay_calibration": {
            str(level): {"fill_rate": round(fill, 4), "avg_stock": round(stock, 1)}
            for level, (fill, stock) in result.calibration.items()
        },
    }
    if result.at_default is not None:
        level = get_settings().reorder_service_level
        out["replay_default_service_level"] = level
        out["replay_fill_rate_microbag_default"] = round(result.at_default.fill_rate, 4)
        out["replay_avg_stock_microbag_default"] = round(result.at_default.avg_stock, 1)
    if quick:
        out["replay_quick_skus"] = QUICK_SKUS
    out["replay_seconds"] = round(time.perf_counter() - t0, 1)
    return out


if __name__ == "__main__":
    print(json.dumps(run(quick=False)))
