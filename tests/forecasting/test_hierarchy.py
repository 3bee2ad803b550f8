"""Reconciled forecasts are coherent: every parent is the sum of its children."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from microbag.forecasting import hierarchy
from microbag.forecasting.policies import RollingMedian, Series

MONDAY = date(2024, 1, 1)
ROWS = [  # sku, region, style, type
    ("A-1", "europe", "ST-A", "micro_tote"),
    ("A-1", "us", "ST-A", "micro_tote"),
    ("A-2", "europe", "ST-A", "micro_tote"),
    ("B/1", "us", "ST-B", "clutch"),  # a "/" in a code must not break the hierarchy
    ("C-1", "japan_korea", "ST-C", "clutch"),
]


@pytest.fixture(scope="module")
def hier() -> hierarchy.Hierarchy:
    rng = np.random.default_rng(3)
    records = []
    for sku, region, style, bag in ROWS:
        for w in range(30):
            records.append((sku, region, style, bag, MONDAY + timedelta(weeks=w), rng.poisson(9)))
    bottom = pl.DataFrame(
        records, schema=["sku", "region", "style", "type", "ds", "y"], orient="row"
    ).with_columns(pl.col("y").cast(pl.Float64))
    return hierarchy.build(bottom)


def _base(h: hierarchy.Hierarchy, ids: list[str], horizon: int):
    frame = h.y.sort("unique_id", "ds")
    out = {}
    for uid in ids:
        y = frame.filter(pl.col("unique_id") == uid)["y"].to_numpy()
        out[uid] = RollingMedian().forecast(Series(uid, MONDAY, y), horizon)
    return out


def test_levels_and_public_names(hier) -> None:
    names = set(hier.names.values())
    assert ("total", "total") in names
    assert ("sku_region", "B/1/us") in names and ("sku", "B/1") in names
    assert ("style", "ST-A") in names and ("type", "clutch") in names
    assert ("region", "japan_korea") in names
    assert len(hier.bottom) == len(ROWS)


@pytest.mark.parametrize("method", hierarchy.RECONCILERS)
def test_reconciled_forecasts_are_coherent(hier, method) -> None:
    horizon = 4
    ids = hier.bottom if method == "bottom_up" else list(hier.names)
    base = _base(hier, ids, horizon)
    rec = hierarchy.reconcile(hier, base, MONDAY + timedelta(weeks=30), horizon, method)
    public = {hier.names[i]: p for i, p in rec.items()}
    by_level: dict[str, dict[str, np.ndarray]] = {}
    for (lvl, uid), p in public.items():
        by_level.setdefault(lvl, {})[uid] = p.mean
        assert np.all(p.mean >= 0) and np.all(p.lo <= p.mean) and np.all(p.mean <= p.hi)
    total = by_level["total"]["total"]
    assert total.sum() > 0
    np.testing.assert_allclose(sum(by_level["sku_region"].values()), total, rtol=1e-6)
    np.testing.assert_allclose(sum(by_level["region"].values()), total, rtol=1e-6)
    np.testing.assert_allclose(sum(by_level["type"].values()), total, rtol=1e-6)
    np.testing.assert_allclose(
        by_level["sku"]["A-1"],
        by_level["sku_region"]["A-1/europe"] + by_level["sku_region"]["A-1/us"],
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        by_level["style"]["ST-A"], by_level["sku"]["A-1"] + by_level["sku"]["A-2"], rtol=1e-6
    )
    np.testing.assert_allclose(
        by_level["type"]["clutch"], by_level["style"]["ST-B"] + by_level["style"]["ST-C"], rtol=1e-6
    )
    if method == "bottom_up":  # the bottom keeps its own (backtested) forecasts
        for internal in hier.bottom:
            np.testing.assert_allclose(rec[internal].mean, base[internal].mean)
        # a parent's interval is wider than any child's, narrower than their sum
        width = public[("total", "total")].hi - public[("total", "total")].lo
        widths = [rec[i].hi - rec[i].lo for i in hier.bottom]
        assert np.all(width >= max(w[0] for w in widths)) and np.all(width <= sum(widths))


def test_unknown_reconciler_is_refused(hier) -> None:
    with pytest.raises(ValueError, match="unknown reconciliation"):
        hierarchy.reconcile(hier, {}, MONDAY, 2, "top_down_guess")
