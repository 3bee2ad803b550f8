"""A slice of the real UCI data (12 busy StockCodes, all 13 months) through import,
forecast and export: skips without ../shared."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sqlalchemy import select

from microbag.forecasting.models import Forecast
from microbag.forecasting.service import export_rows, run_forecast
from microbag.history.importer import import_sales
from microbag.history.service import weekly_units

CODES = ["85123A", "22423", "85099B", "47566", "20725", "84879", "22720", "22197", "21212",
         "23203", "22383", "20727"]  # fmt: skip

pytestmark = pytest.mark.slow


@pytest.fixture
def uci_codes(shared_data: Path, tmp_path: Path) -> Path:
    files = sorted((shared_data / "online-retail-uci").glob("online_retail_*.csv.gz"))
    frame = pl.concat([pl.read_csv(f, infer_schema=False) for f in files])
    path = tmp_path / "uci_codes.csv"
    frame.filter(pl.col("StockCode").is_in(CODES)).write_csv(path)
    return path


def test_real_slice_forecast_is_coherent_and_plausible(db, uci_codes: Path) -> None:
    with db.session(write=True) as s:
        import_sales(s, [uci_codes], "online-retail")
    with db.session(write=True) as s:
        run = run_forecast(s, 8)
    assert run.last_week == date(2011, 12, 5) and run.first_week == date(2011, 12, 12)
    with db.session() as s:
        rows = export_rows(s, "sku")
        history = weekly_units(s, "sku")
        stored = s.execute(
            select(Forecast.level, Forecast.unique_id, Forecast.week_start, Forecast.mean)
        ).all()
    assert {r[0] for r in rows} == set(CODES) and len(rows) == len(CODES) * 8
    peak = dict(history.group_by("unique_id").agg(pl.col("y").max()).iter_rows())
    for code, week, mean, lo, hi in rows:
        assert week.weekday() == 0 and 0 <= lo <= mean <= hi
        assert mean <= peak[code]  # never above the best week ever
    frame = pl.DataFrame(stored, schema=["level", "uid", "week", "mean"], orient="row")
    by = frame.group_by("level", "week").agg(pl.col("mean").sum()).sort("level", "week")
    total = by.filter(pl.col("level") == "total")["mean"].to_numpy()
    assert total.sum() > 0
    for level in ("sku", "sku_region", "region", "type", "style"):
        np.testing.assert_allclose(
            by.filter(pl.col("level") == level)["mean"].to_numpy(), total, rtol=1e-6
        )
    chosen = {m for m in run.models}
    assert chosen - {"BottomUp"}, "bottom series have backtest-chosen models"
