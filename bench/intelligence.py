"""Demand forecasts on the real UCI Online Retail data (``../shared/data/online-retail-uci``).

Weekly gross units per StockCode (weeks start Monday, zero-filled from a code's first
sale), rolling origins in the last 16 weeks (every 4 weeks), horizons 4 and 8. On the
same cuts: every bare statsforecast model (WindowAverage, SeasonalNaive, Croston, ADIDA,
IMAPA, TSB, AutoETS, AutoTheta) and microbag's forecasts (``engine.forecast_series``,
the function the CLI runs: inner backtest, model choice per demand class, own models).
Figures: WAPE and MASE of both, the best single model, the gain, and the end-to-end
seconds to forecast every SKU series. The files are read with polars (no database):
the forecasting code is the CLI's.

    python -m bench.run --only intelligence [--quick]
"""

from __future__ import annotations

import json
import time
import warnings
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "online-retail-uci"
MAPPING = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "microbag"
    / "history"
    / "mappings"
    / "online-retail.json"
)
HORIZONS = (4, 8)


def read_lines(folder: Path = DATA) -> pl.DataFrame:
    """Gross sale lines: no cancellations (C invoices), no returns, no non-product codes."""
    mapping = json.loads(MAPPING.read_text())
    files = sorted(folder.glob("online_retail_*.csv.gz"))
    text = pl.String
    frame = pl.concat(
        [
            pl.read_csv(
                f, schema_overrides={"InvoiceNo": text, "StockCode": text, "CustomerID": text}
            )
            for f in files
        ]
    )
    pattern = "|".join(f"(?:{p})" for p in mapping["non_product_patterns"])
    return (
        frame.filter(
            ~pl.col("InvoiceNo").str.starts_with(mapping["cancellation_prefix"]),
            pl.col("Quantity") > 0,
            ~pl.col("StockCode").is_in(mapping["non_product_codes"]),
            ~pl.col("StockCode").str.contains(pattern),
        )
        .with_columns(
            ds=pl.col("InvoiceDate")
            .str.to_datetime("%Y-%m-%d %H:%M:%S")
            .dt.truncate("1w")
            .dt.date()
        )
        .select("StockCode", "CustomerID", "ds", "Quantity")
    )


def weekly_matrix(lines: pl.DataFrame) -> tuple[list[str], date, np.ndarray, np.ndarray]:
    """(codes, first Monday, Y[codes x weeks], index of each code's first sale week)."""
    weekly = lines.group_by("StockCode", "ds").agg(y=pl.col("Quantity").sum().cast(pl.Float64))
    start: date = weekly["ds"].min()  # type: ignore[assignment]
    end: date = weekly["ds"].max()  # type: ignore[assignment]
    n = (end - start).days // 7 + 1
    codes = sorted(weekly["StockCode"].unique().to_list())
    index = {c: i for i, c in enumerate(codes)}
    y = np.zeros((len(codes), n))
    rows = weekly.with_columns(
        i=pl.col("StockCode").replace_strict(index, return_dtype=pl.Int64),
        w=((pl.col("ds") - pl.lit(start)).dt.total_days() // 7).cast(pl.Int64),
    )
    y[rows["i"].to_numpy(), rows["w"].to_numpy()] = rows["y"].to_numpy()
    first = np.argmax(y > 0, axis=1)
    return codes, start, y, first


def _bare(y: np.ndarray, first: np.ndarray, start: date, cut: int, h: int) -> dict[str, Any]:
    """Every bare statsforecast model at one cut: {model: (n_alive, h) means}."""
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import (
        ADIDA,
        IMAPA,
        TSB,
        AutoETS,
        AutoTheta,
        CrostonOptimized,
        HistoricAverage,
        SeasonalNaive,
        WindowAverage,
    )

    alive = np.where(first < cut)[0]
    ids, ds, vals = [], [], []
    for i in alive:
        span = range(first[i], cut)
        ids += [str(i)] * len(span)
        ds += [start + timedelta(weeks=w) for w in span]
        vals.append(y[i, first[i] : cut])
    df = pd.DataFrame({"unique_id": ids, "ds": pd.to_datetime(ds), "y": np.concatenate(vals)})
    models = [
        WindowAverage(window_size=8),
        SeasonalNaive(season_length=52),
        CrostonOptimized(),
        ADIDA(),
        IMAPA(),
        TSB(alpha_d=0.2, alpha_p=0.2),
        AutoETS(season_length=1),
        AutoTheta(season_length=1),
        HistoricAverage(),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sf = StatsForecast(models=models, freq="W-MON", n_jobs=2, fallback_model=HistoricAverage())
        out = sf.forecast(df=df, h=h)
    out["i"] = out["unique_id"].astype(int)
    out = out.sort_values(["i", "ds"])
    result = {}
    fallback = out["HistoricAverage"].to_numpy().reshape(len(alive), h)
    for col in [c for c in out.columns if c not in ("unique_id", "ds", "i", "HistoricAverage")]:
        values = out[col].to_numpy().reshape(len(alive), h)
        # A model that cannot forecast a (short) series gets the history's mean there.
        result[col] = np.where(np.isfinite(values), values, fallback)
    return {"alive": alive, "models": result}


def _microbag(y, first, start, codes, cut, h, fast=False) -> dict[str, np.ndarray]:
    from microbag.forecasting.engine import forecast_series
    from microbag.forecasting.policies import Series
    from microbag.forecasting.service import holiday_ratio

    alive = np.where(first < cut)[0]
    total = pl.DataFrame(
        {
            "ds": [start + timedelta(weeks=w) for w in range(cut)],
            "y": y[:, :cut].sum(axis=0),
        }
    )
    ratio = holiday_ratio(total)
    series = [
        Series(
            codes[i], start + timedelta(weeks=int(first[i])), y[i, first[i] : cut], "europe", ratio
        )
        for i in alive
    ]
    results = forecast_series(series, h, fast=fast)
    return {
        "mean": np.stack([r.prediction.mean for r in results]),
        "models": np.array([r.choice.model for r in results]),
    }


def _scores(y, first, cut, alive, pred, h) -> tuple[float, float, float, int]:
    actual = y[alive, cut : cut + h]
    err = np.abs(pred[:, :h] - actual)
    mase_sum, mase_n = 0.0, 0
    for k, i in enumerate(alive):
        hist = y[i, first[i] : cut]
        if len(hist) > 1:
            scale = float(np.mean(np.abs(np.diff(hist))))
            if scale > 0:
                mase_sum += float(err[k].mean()) / scale
                mase_n += 1
    return float(err.sum()), float(actual.sum()), mase_sum, mase_n


def buyer_reorder(lines: pl.DataFrame, codes: list[str], start: date, cut: int, window: int):
    """Expected weekly units = sum over buyers of (order weeks / weeks) x usual quantity
    (median), over the last ``window`` weeks; lines without a buyer add their mean."""
    begin = start + timedelta(weeks=cut - window)
    end = start + timedelta(weeks=cut)
    recent = lines.filter(pl.col("ds") >= begin, pl.col("ds") < end)
    weekly = recent.group_by("StockCode", "CustomerID", "ds").agg(q=pl.col("Quantity").sum())
    known = (
        weekly.filter(pl.col("CustomerID").is_not_null())
        .group_by("StockCode", "CustomerID")
        .agg(n=pl.len(), q=pl.col("q").median())
        .group_by("StockCode")
        .agg(units=(pl.col("n") * pl.col("q")).sum())
    )
    anon = (
        weekly.filter(pl.col("CustomerID").is_null())
        .group_by("StockCode")
        .agg(units=pl.col("q").sum().cast(pl.Float64))
    )
    both = pl.concat([known.with_columns(pl.col("units").cast(pl.Float64)), anon])
    per_code = dict(both.group_by("StockCode").agg(pl.col("units").sum()).iter_rows())
    return per_code, window


def run(pg_url: str | None = None, quick: bool = False) -> dict[str, Any]:
    if not DATA.is_dir():
        return {"forecast_skipped": f"no data at {DATA}"}
    t0 = time.perf_counter()
    lines = read_lines()
    codes, start, y, first = weekly_matrix(lines)
    load_seconds = time.perf_counter() - t0
    n = y.shape[1]
    if quick:  # the 600 best-selling codes only
        keep = np.argsort(-y.sum(axis=1))[:600]
        keep.sort()
        codes = [codes[i] for i in keep]
        y, first = y[keep], first[keep]
    cuts = [c for c in range(n - 16, n - min(HORIZONS) + 1, 4)]
    acc: dict[str, dict[int, list[float]]] = {}

    def add(name: str, h: int, s: tuple[float, float, float, int]) -> None:
        slot = acc.setdefault(name, {}).setdefault(h, [0.0, 0.0, 0.0, 0.0])
        for k in range(4):
            slot[k] += s[k]

    chosen: dict[str, int] = {}
    microbag_seconds = 0.0
    for cut in cuts:
        hmax = min(max(HORIZONS), n - cut)
        bare = _bare(y, first, start, cut, hmax)
        t1 = time.perf_counter()
        mine = _microbag(y, first, start, codes, cut, hmax)
        microbag_seconds += time.perf_counter() - t1
        for model in mine["models"]:
            chosen[str(model)] = chosen.get(str(model), 0) + 1
        alive = bare["alive"]
        per_code, window = buyer_reorder(lines, codes, start, cut, 13)
        span = np.minimum(window, cut - first[alive]).astype(float)
        reorder = np.array([per_code.get(codes[i], 0.0) for i in alive]) / span
        for h in HORIZONS:
            if cut + h > n:
                continue
            for name, pred in bare["models"].items():
                add(name, h, _scores(y, first, cut, alive, pred, h))
            add("microbag", h, _scores(y, first, cut, alive, mine["mean"], h))
            add(
                "buyer_reorder",
                h,
                _scores(y, first, cut, alive, np.repeat(reorder[:, None], h, 1), h),
            )
    out: dict[str, Any] = {
        "forecast_series": len(codes),
        "forecast_weeks": n,
        "forecast_cuts": cuts,
    }
    for h in HORIZONS:
        table = {
            name: (v[h][0] / v[h][1], v[h][2] / max(v[h][3], 1))
            for name, v in acc.items()
            if h in v
        }
        singles = {k: v for k, v in table.items() if k not in ("microbag", "buyer_reorder")}
        best = min(singles, key=lambda k: singles[k][0])
        out[f"forecast_wape_microbag_h{h}"] = round(table["microbag"][0], 4)
        out[f"forecast_wape_best_single_h{h}"] = round(singles[best][0], 4)
        out[f"forecast_best_single_model_h{h}"] = best
        out[f"forecast_wape_gain_pct_h{h}"] = round(
            100 * (1 - table["microbag"][0] / singles[best][0]), 2
        )
        out[f"forecast_mase_microbag_h{h}"] = round(table["microbag"][1], 4)
        out[f"forecast_mase_best_single_h{h}"] = round(singles[best][1], 4)
        out[f"forecast_wape_buyer_reorder_h{h}"] = round(table["buyer_reorder"][0], 4)
        out[f"forecast_wape_all_h{h}"] = {k: round(v[0], 4) for k, v in sorted(table.items())}
        out[f"forecast_mase_all_h{h}"] = {k: round(v[1], 4) for k, v in sorted(table.items())}
    out["forecast_best_single_model"] = out["forecast_best_single_model_h4"]
    out["forecast_models_chosen"] = chosen
    # End to end: read the files, build the weekly series, backtest + choose + forecast
    # every SKU series 8 weeks ahead (the CLI's function, in-process).
    t2 = time.perf_counter()
    lines = read_lines()
    codes, start, y, first = weekly_matrix(lines)
    _microbag(y, first, start, codes, y.shape[1], 8)
    out["forecast_seconds_all_skus"] = round(time.perf_counter() - t2, 2)
    out["forecast_all_skus_count"] = len(codes)
    out["forecast_load_seconds"] = round(load_seconds, 2)
    out["forecast_microbag_backtest_seconds"] = round(microbag_seconds, 2)
    return out


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in __import__("sys").argv), indent=1))
