"""The forecast hierarchy and its reconciliation (hierarchicalforecast).

SKU/region at the bottom; above it SKU -> style -> type -> total, and region -> total.
Base forecasts are made per series, then reconciled so every parent equals the sum of
its children week by week: ``bottom_up`` (default: keeps the backtested SKU/region
forecasts, sums them up) or MinTrace (``mint_ols``, ``mint_wls_struct``, non-negative),
which also uses the aggregates' own forecasts.

Intervals: ``bottom_up`` adds the children's half-widths in quadrature (independent
errors); MinTrace keeps each series' base half-widths around its reconciled mean.
Either way lo80 <= mean <= hi80 and nothing is negative.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from microbag.forecasting.policies import Prediction, tidy

LEVEL_COLUMNS: dict[str, list[str]] = {
    "total": ["total"],
    "region": ["total", "region"],
    "type": ["total", "type"],
    "style": ["total", "type", "style"],
    "sku": ["total", "type", "style", "sku"],
    "sku_region": ["total", "type", "style", "sku", "region"],
}
RECONCILERS = ("bottom_up", "mint_ols", "mint_wls_struct")


@dataclass
class Hierarchy:
    y: pl.DataFrame  # unique_id (internal), ds, y: every level
    s: pl.DataFrame  # the summing matrix (unique_id + one column per bottom series)
    tags: dict[str, np.ndarray]
    names: dict[str, tuple[str, str]]  # internal id -> (level, public unique_id)
    regions: dict[str, str | None]  # internal id -> region (for season calendars)
    bottom: list[str]

    def ids(self, level: str) -> list[str]:
        return [i for i, (lvl, _u) in self.names.items() if lvl == level]


def build(bottom: pl.DataFrame) -> Hierarchy:
    """``bottom``: sku, region, style, type, ds, y (one row per SKU/region and week)."""
    from hierarchicalforecast.utils import aggregate

    # hierarchicalforecast joins the keys with "/": code them as tokens that have none.
    codes: dict[str, dict[str, str]] = {}
    columns = {"total": pl.lit("total")}
    for col in ("region", "type", "style", "sku"):
        values = sorted(bottom[col].unique().to_list())
        codes[col] = {v: f"{col[0]}{i}" for i, v in enumerate(values)}
        columns[col] = pl.col(col).replace_strict(codes[col], return_dtype=pl.String)
    coded = bottom.with_columns(**columns).select(
        "total", "type", "style", "sku", "region", "ds", pl.col("y").cast(pl.Float64)
    )
    spec = list(LEVEL_COLUMNS.values())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y, s, tags = aggregate(coded, spec)
    decode = {col: {t: v for v, t in m.items()} for col, m in codes.items()}
    names: dict[str, tuple[str, str]] = {}
    regions: dict[str, str | None] = {}
    for level, cols in LEVEL_COLUMNS.items():
        for internal in tags["/".join(cols)]:
            parts = dict(zip(cols, str(internal).split("/"), strict=True))
            region = decode["region"][parts["region"]] if "region" in parts else None
            if level == "total":
                public = "total"
            elif level == "sku_region":
                public = f"{decode['sku'][parts['sku']]}/{region}"
            else:
                public = decode[level][parts[level]]
            names[str(internal)] = (level, public)
            regions[str(internal)] = region
    bottom_ids = [str(i) for i in tags["/".join(LEVEL_COLUMNS["sku_region"])]]
    return Hierarchy(y=y, s=s, tags=tags, names=names, regions=regions, bottom=bottom_ids)


def reconcile(
    hier: Hierarchy,
    base: dict[str, Prediction],
    first_week: date,
    horizon: int,
    method: str = "bottom_up",
) -> dict[str, Prediction]:
    """Coherent forecasts for every series of the hierarchy.

    ``base`` holds the bottom series' forecasts (``bottom_up``) or every series'
    (MinTrace); missing aggregates count as 0 for ``bottom_up``.
    """
    from hierarchicalforecast.core import HierarchicalReconciliation
    from hierarchicalforecast.methods import BottomUp, MinTrace

    ids = hier.s["unique_id"].to_list()
    weeks = [first_week + timedelta(weeks=k) for k in range(horizon)]
    zero = np.zeros(horizon)
    means = np.stack([base[i].mean if i in base else zero for i in ids])
    y_hat = pl.DataFrame(
        {
            "unique_id": np.repeat(ids, horizon),
            "ds": weeks * len(ids),
            "base": means.reshape(-1),
        },
        schema={"unique_id": pl.String, "ds": pl.Date, "base": pl.Float64},
    )
    if method == "bottom_up":
        reconciler = BottomUp()
    elif method in ("mint_ols", "mint_wls_struct"):
        reconciler = MinTrace(method=method.removeprefix("mint_"), nonnegative=True)
    else:
        raise ValueError(f"unknown reconciliation {method!r}; use one of {RECONCILERS}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = HierarchicalReconciliation([reconciler]).reconcile(
            Y_hat_df=y_hat, S_df=hier.s, tags=hier.tags
        )
    column = next(c for c in out.columns if c.startswith("base/"))
    rec = (
        out.select("unique_id", "ds", pl.col(column).alias("mean"))
        .sort("unique_id", "ds")
        .group_by("unique_id", maintain_order=True)
        .agg(pl.col("mean"))
    )
    rec_mean = {u: np.clip(np.asarray(m, dtype=float), 0, None) for u, m in rec.iter_rows()}
    result: dict[str, Prediction] = {}
    if method == "bottom_up":
        smat = hier.s.select(hier.bottom).to_numpy()
        low = np.stack([base[b].mean - base[b].lo for b in hier.bottom])
        high = np.stack([base[b].hi - base[b].mean for b in hier.bottom])
        low_w = np.sqrt(smat @ (low**2))
        high_w = np.sqrt(smat @ (high**2))
        for k, uid in enumerate(ids):
            m = rec_mean[uid]
            result[uid] = tidy(m, m - low_w[k], m + high_w[k])
        return result
    for uid in ids:
        m = rec_mean[uid]
        b = base[uid]
        result[uid] = tidy(m, m - (b.mean - b.lo), m + (b.hi - b.mean))
    return result
