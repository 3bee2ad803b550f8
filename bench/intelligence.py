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
        .select("StockCode", "CustomerID", "InvoiceNo", "ds", "Quantity", "UnitPrice")
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


def weekly_facts(
    lines: pl.DataFrame, codes: list[str], start: date, weeks: int
) -> dict[str, np.ndarray]:
    """Per code and week: distinct buyers, orders (sales lines: an invoice names a code
    once, but for 2 % of UCI lines) and the mean unit price (NaN without a sale): the
    pooled model's buyer and price features, defined as ``forecasting.buyer_facts``."""
    index = {c: i for i, c in enumerate(codes)}
    per_week = (
        lines.filter(pl.col("StockCode").is_in(codes))
        .group_by("StockCode", "ds")
        .agg(
            buyers=pl.col("CustomerID").drop_nulls().n_unique(),
            orders=pl.len(),  # sales lines, as the product counts them (~ invoices)
            price=(pl.col("UnitPrice") * pl.col("Quantity")).sum() / pl.col("Quantity").sum(),
        )
        .with_columns(
            i=pl.col("StockCode").replace_strict(index, return_dtype=pl.Int64),
            w=((pl.col("ds") - pl.lit(start)).dt.total_days() // 7).cast(pl.Int64),
        )
    )
    i, w = per_week["i"].to_numpy(), per_week["w"].to_numpy()
    out = {"buyers": np.zeros((len(codes), weeks)), "orders": np.zeros((len(codes), weeks))}
    out["price"] = np.full((len(codes), weeks), np.nan)
    for name in out:
        out[name][i, w] = per_week[name].to_numpy()
    return out


SLOW_BARE = ("AutoETS", "AutoTheta")


def _bare(
    y: np.ndarray, first: np.ndarray, start: date, cut: int, h: int, slow: bool = True
) -> dict[str, Any]:
    """Every bare statsforecast model at one cut: {model: (n_alive, h) means}
    (``slow=False``: without AutoETS and AutoTheta, which cost 95 % of the time)."""
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
    models: list[Any] = [
        WindowAverage(window_size=8),
        SeasonalNaive(season_length=52),
        CrostonOptimized(),
        ADIDA(),
        IMAPA(),
        TSB(alpha_d=0.2, alpha_p=0.2),
        HistoricAverage(),
    ]
    if slow:
        models += [AutoETS(season_length=1), AutoTheta(season_length=1)]
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


def _microbag(y, first, start, codes, cut, h, fast=False, facts=None) -> dict[str, np.ndarray]:
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
    facts = facts or {}

    def part(name: str, i: int) -> np.ndarray | None:
        return facts[name][i, first[i] : cut] if name in facts else None

    series = [
        Series(
            codes[i],
            start + timedelta(weeks=int(first[i])),
            y[i, first[i] : cut],
            "europe",
            ratio,
            buyers=part("buyers", i),
            orders=part("orders", i),
            price=part("price", i),
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


MANY_FIRST = 26  # weeks of history before the first of the many origins
MANY_STEP = 4  # weeks between them (8 with --quick)


def many_origins(weeks: int, quick: bool = False) -> list[int]:
    """Origins spread over the year: every MANY_STEP weeks once 26 weeks of history exist,
    up to the last one with 4 weeks after it (UCI: weeks 26..50, 2011-05-30..2011-11-14;
    every 4 weeks they include the four cuts of the first push)."""
    return list(range(MANY_FIRST, weeks - min(HORIZONS) + 1, 8 if quick else MANY_STEP))


def _memo_pooled_fits() -> dict[bytes, object | None]:
    """Fits at the same inner origin repeat across the outer origins (each outer cut's
    backtest refits at cut-16 .. cut-4): the fit depends only on the weeks before its
    origin, so it is keyed by a digest of exactly the data it reads. Same numbers, a
    third of the fits. Bench only: the product forecasts from one cut."""
    import hashlib

    from microbag.forecasting import pooled

    fit = pooled._fit
    memo: dict[bytes, object | None] = {}

    def cached(p: Any, origin: int) -> object | None:
        rows = (p.first < origin) & (p.end >= origin)
        digest = hashlib.blake2b(digest_size=20)
        digest.update(f"{origin}|{p.start}".encode())
        digest.update(p.first[rows].tobytes())
        for values in (p.z, p.buyers, p.orders, p.price):
            if values is not None:
                digest.update(np.ascontiguousarray(values[rows, :origin]).tobytes())
        digest.update(p.market[:origin].tobytes())
        key = digest.digest()
        if key not in memo:
            memo[key] = fit(p, origin)
        return memo[key]

    pooled._fit = cached  # type: ignore[assignment]
    return memo


def _summary(acc: dict[str, dict[int, list[float]]], h: int, exclude: tuple[str, ...]) -> Any:
    table = {
        name: (v[h][0] / v[h][1], v[h][2] / max(v[h][3], 1)) for name, v in acc.items() if h in v
    }
    singles = {k: v for k, v in table.items() if k not in exclude}
    best = min(singles, key=lambda k: singles[k][0])
    return table, singles, best


def run(pg_url: str | None = None, quick: bool = False) -> dict[str, Any]:
    if not DATA.is_dir():
        return {"forecast_skipped": f"no data at {DATA}"}
    from microbag.forecasting import pooled

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
    facts = weekly_facts(lines, codes, start, n)
    # The four cuts of the first push (last 16 weeks, every 4): the original keys.
    cuts = [c for c in range(n - 16, n - min(HORIZONS) + 1, 4)]
    many = many_origins(n, quick)
    acc: dict[str, dict[int, list[float]]] = {}
    acc_many: dict[str, dict[int, list[float]]] = {}
    per_origin: dict[int, dict[int, dict[str, tuple[float, float]]]] = {}

    def add(into: dict[str, dict[int, list[float]]], name: str, h: int, s: Any) -> None:
        slot = into.setdefault(name, {}).setdefault(h, [0.0, 0.0, 0.0, 0.0])
        for k in range(4):
            slot[k] += s[k]

    chosen: dict[str, int] = {}
    microbag_seconds = 0.0
    fit = pooled._fit
    _memo_pooled_fits()
    try:
        for cut in sorted(set(cuts) | set(many)):
            hmax = min(max(HORIZONS), n - cut)
            bare = _bare(y, first, start, cut, hmax, slow=cut in cuts)
            t1 = time.perf_counter()
            mine = _microbag(y, first, start, codes, cut, hmax, facts=facts)
            microbag_seconds += time.perf_counter() - t1
            alive = bare["alive"]
            preds = {**bare["models"], "microbag": mine["mean"]}
            if cut in cuts:
                for model in mine["models"]:
                    chosen[str(model)] = chosen.get(str(model), 0) + 1
                per_code, window = buyer_reorder(lines, codes, start, cut, 13)
                span = np.minimum(window, cut - first[alive]).astype(float)
                reorder = np.array([per_code.get(codes[i], 0.0) for i in alive]) / span
                preds_old = {**preds, "buyer_reorder": np.repeat(reorder[:, None], hmax, 1)}
            for h in HORIZONS:
                if cut + h > n:
                    continue
                if cut in cuts:
                    for name, pred in preds_old.items():
                        add(acc, name, h, _scores(y, first, cut, alive, pred, h))
                if cut in many:
                    for name, pred in preds.items():
                        if name in SLOW_BARE:
                            continue  # scored at the four cuts only (cost)
                        s = _scores(y, first, cut, alive, pred, h)
                        add(acc_many, name, h, s)
                        per_origin.setdefault(h, {}).setdefault(cut, {})[name] = (s[0], s[1])
    finally:
        pooled._fit = fit  # type: ignore[assignment]
    out: dict[str, Any] = {
        "forecast_series": len(codes),
        "forecast_weeks": n,
        "forecast_cuts": cuts,
    }
    for h in HORIZONS:
        table, singles, best = _summary(acc, h, ("microbag", "buyer_reorder"))
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
    # Many origins: pooled over every origin, and origin by origin against the same
    # model (the best single one over all origins) and against each origin's own best.
    out["forecast_origins"] = [str(start + timedelta(weeks=c)) for c in many]
    for h in HORIZONS:
        table, singles, best = _summary(acc_many, h, ("microbag",))
        gain = 100 * (1 - table["microbag"][0] / singles[best][0])
        out[f"forecast_wape_microbag_h{h}_many"] = round(table["microbag"][0], 4)
        out[f"forecast_wape_best_single_h{h}_many"] = round(singles[best][0], 4)
        out[f"forecast_best_single_model_h{h}_many"] = best
        out[f"forecast_wape_gain_h{h}_many"] = round(gain, 2)
        out[f"forecast_wape_all_h{h}_many"] = {k: round(v[0], 4) for k, v in sorted(table.items())}
        rows = {}
        for cut, by_model in sorted(per_origin.get(h, {}).items()):
            wape = {k: e / a for k, (e, a) in by_model.items() if a > 0}
            own = min((k for k in wape if k != "microbag"), key=lambda k: wape[k])
            rows[str(start + timedelta(weeks=cut))] = {
                "microbag": round(wape["microbag"], 4),
                "best_single": round(wape[best], 4),
                "gain_pct": round(100 * (1 - wape["microbag"] / wape[best]), 2),
                "origin_best_model": own,
                "gain_pct_vs_origin_best": round(100 * (1 - wape["microbag"] / wape[own]), 2),
            }
        out[f"forecast_wape_per_origin_h{h}"] = rows
        gains = [r["gain_pct"] for r in rows.values()]
        out[f"forecast_wape_gain_h{h}_many_min"] = min(gains)
        out[f"forecast_origins_over_10pct_h{h}"] = sum(g >= 10 for g in gains)
    # End to end: read the files, build the weekly series, backtest + choose + forecast
    # every SKU series 8 weeks ahead (the CLI's function, in-process).
    t2 = time.perf_counter()
    lines = read_lines()
    codes, start, y, first = weekly_matrix(lines)
    _microbag(y, first, start, codes, y.shape[1], 8, facts=weekly_facts(lines, codes, start, n))
    out["forecast_seconds_all_skus"] = round(time.perf_counter() - t2, 2)
    out["forecast_all_skus_count"] = len(codes)
    out["forecast_load_seconds"] = round(load_seconds, 2)
    out["forecast_microbag_backtest_seconds"] = round(microbag_seconds, 2)
    out["forecast_seconds"] = round(time.perf_counter() - t0, 1)
    return out


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in __import__("sys").argv), indent=1))
