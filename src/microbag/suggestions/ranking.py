"""The ranking signals of the suggestion engine and their blend (numpy; no database).

``item_signals`` computes what does not depend on the buyer (EASE item-to-item weights,
popularity overall and per region, the trend of the last weeks, the usual quantity);
``features`` turns one buyer's history into one row of signals per SKU; ``blend`` scores
them with a weight per signal. ``fit_weights`` learns those weights by logistic
regression on rows labelled "ordered in the weeks after the cut".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import polars as pl
from scipy import sparse

from microbag.suggestions import policies

EASE_LAMBDA = 1000.0  # chosen on the bench's tuning cut (2011-05-16): 250, 1000, 3000 tried
RECENT_DAYS = 28
WINDOW_DAYS = 84


@dataclass(frozen=True)
class History:
    """One buyer's history: parallel arrays over the SKUs it ordered (sorted indices)."""

    items: np.ndarray  # SKU indices
    orders: np.ndarray  # distinct invoices
    first_age: np.ndarray  # days since the first order
    last_age: np.ndarray  # days since the last order
    units: np.ndarray  # median units per order
    strength: np.ndarray  # sum of the orders' recency weights
    invoices: int = 1  # the buyer's orders (distinct invoices), all SKUs
    idle_days: int = 0  # days since the buyer's last order


@dataclass(frozen=True)
class ItemSignals:
    n_items: int
    ease: np.ndarray  # (items x items) float32, zero diagonal
    cosine: np.ndarray  # (items x items) float32 cosine of co-purchase, zero diagonal
    median_units: np.ndarray  # units per order, all buyers
    recent_buyers: np.ndarray  # distinct buyers in the last RECENT_DAYS
    earlier_buyers: np.ndarray  # distinct buyers in the WINDOW_DAYS before that
    window_buyers: np.ndarray  # distinct buyers in the last WINDOW_DAYS
    region_buyers: dict[str, np.ndarray]  # the same per region
    popularity: np.ndarray  # 0..1
    region_popularity: dict[str, np.ndarray]  # 0..1
    trend: np.ndarray  # -1..1: more buyers lately than before
    repeat_rate: np.ndarray  # share of the SKU's buyers who ordered it twice or more
    recent_popularity: np.ndarray  # 0..1, last RECENT_DAYS


@dataclass(frozen=True)
class Features:
    """One buyer's signals, one value per SKU."""

    strength: np.ndarray  # log1p of the recency-weighted count of own orders
    due: np.ndarray  # 0..1
    owned: np.ndarray  # 1 if ever ordered
    orders: np.ndarray  # log1p(own orders)
    recency: np.ndarray  # 2^(-days since the last own order / 30)
    similar: np.ndarray  # EASE score scaled by the buyer's best, 0..1
    popularity: np.ndarray
    region_popularity: np.ndarray
    trend: np.ndarray
    share: np.ndarray  # share of the buyer's orders with the SKU
    repeat_rate: np.ndarray
    recent_popularity: np.ndarray
    ease_raw: np.ndarray  # EASE score as it is
    buyer_orders: np.ndarray  # log1p(the buyer's orders), same for every SKU
    idle: np.ndarray  # log1p(days since the buyer's last order), same for every SKU
    cosine: np.ndarray  # co-purchase cosine with the buyer's SKUs, scaled by its best

    def matrix(self, rows: np.ndarray | None = None) -> np.ndarray:
        columns = [getattr(self, name) for name in FEATURE_NAMES]
        stacked = np.column_stack(columns)
        return stacked if rows is None else stacked[rows]


FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Features))


@dataclass(frozen=True)
class Weights:
    """A weight per feature (FEATURE_NAMES order): for all SKUs, and for new SKUs only."""

    known: tuple[float, ...]
    new: tuple[float, ...]
    learned: bool = False


# Learned on UCI at the cut 2011-06-01 (the bench's tuning cut), used when the history is
# too small to learn from.
DEFAULT_WEIGHTS = Weights(
    known=(1.0, 1.0, 0.5, 0.5, 1.0, 2.0, 1.0, 0.5, 0.3, 1.0, 0.3, 0.3, 0.0, 0.0, 0.0, 0.5),
    new=(0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 1.0, 0.5, 0.3, 0.0, 0.3, 0.3, 0.0, 0.0, 0.0, 0.5),
)


def item_item(
    pairs: pl.DataFrame, n_items: int, lam: float = EASE_LAMBDA
) -> tuple[np.ndarray, np.ndarray]:
    """(EASE weights, co-purchase cosine) from the same buyers x items matrix."""
    gram = gram_matrix(pairs, n_items)
    counts = np.sqrt(np.maximum(np.diag(gram).astype(np.float64), 1.0))
    cosine = np.asarray(gram / counts[:, None] / counts[None, :], dtype=np.float32)
    np.fill_diagonal(cosine, 0.0)
    return ease_from_gram(gram, lam), cosine


def ease_weights(pairs: pl.DataFrame, n_items: int, lam: float = EASE_LAMBDA) -> np.ndarray:
    """EASE's B = I - P diagMat(1 / diag(P)) with P = (X'X + lam I)^-1, zero diagonal.

    ``pairs``: distinct (buyer, item) rows; X is the binary buyers x items matrix.
    """
    return ease_from_gram(gram_matrix(pairs, n_items), lam)


def gram_matrix(pairs: pl.DataFrame, n_items: int) -> np.ndarray:
    """X'X of the binary buyers x items matrix (float32)."""
    if n_items == 0 or pairs.is_empty():
        return np.zeros((n_items, n_items), dtype=np.float32)
    buyers = pairs["buyer_ref"].rank("dense").cast(pl.Int64).to_numpy() - 1
    items = pairs["item"].to_numpy().astype(np.int64)
    x = sparse.csr_matrix(
        (np.ones(items.size, dtype=np.float64), (buyers, items)),
        shape=(int(buyers.max()) + 1 if buyers.size else 0, n_items),
    )
    return np.asarray((x.T @ x).toarray(), dtype=np.float32)


def ease_from_gram(gram: np.ndarray, lam: float) -> np.ndarray:
    n_items = gram.shape[0]
    if n_items == 0:
        return np.zeros((0, 0), dtype=np.float32)
    gram = gram.copy()
    gram[np.diag_indices(n_items)] += lam
    p = _spd_inverse(gram)
    b = p / -np.diag(p)
    b[np.diag_indices(n_items)] = 0.0
    return np.asarray(b, dtype=np.float32)


def _spd_inverse(matrix: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite matrix by Cholesky (float32: 4x faster
    than a general float64 inverse, and EASE needs no more precision)."""
    from scipy.linalg import lapack
    from threadpoolctl import threadpool_limits

    # One BLAS thread: on a busy machine (a worker beside a web server) more threads
    # fight for the cores and run up to 5x slower; one thread takes ~2 s on UCI.
    with threadpool_limits(limits=1):
        return _cholesky_inverse(matrix, lapack)


def _cholesky_inverse(matrix: np.ndarray, lapack: Any) -> np.ndarray:
    factor, info = lapack.spotrf(matrix, lower=False)
    if info != 0:
        return np.asarray(np.linalg.inv(matrix), dtype=np.float32)
    inverse, info = lapack.spotri(factor, lower=False)
    if info != 0:
        return np.asarray(np.linalg.inv(matrix), dtype=np.float32)
    upper = np.triu(inverse)
    return np.asarray(upper + np.triu(upper, 1).T, dtype=np.float32)


def item_signals(
    orders: pl.DataFrame, n_items: int, regions: Mapping[str, str], lam: float | None = None
) -> ItemSignals:
    """``orders``: one row per buyer_ref, item, invoice with ``age`` (days) and ``units``."""
    pairs = orders.select("buyer_ref", "item").unique()
    ease, cosine = item_item(pairs, n_items, EASE_LAMBDA if lam is None else lam)
    median = np.ones(n_items, dtype=np.int64)
    per_item = orders.group_by("item").agg(pl.col("units").median())
    median[per_item["item"].to_numpy().astype(np.int64)] = np.maximum(
        1, np.round(per_item["units"].to_numpy())
    ).astype(np.int64)

    def buyers_between(low: int, high: int, frame: pl.DataFrame = orders) -> np.ndarray:
        part = frame.filter(pl.col("age") >= low, pl.col("age") < high)
        counts = part.group_by("item").agg(pl.col("buyer_ref").n_unique())
        out = np.zeros(n_items)
        out[counts["item"].to_numpy().astype(np.int64)] = counts["buyer_ref"].to_numpy()
        return out

    recent = buyers_between(0, RECENT_DAYS)
    earlier = buyers_between(RECENT_DAYS, WINDOW_DAYS)
    window = buyers_between(0, WINDOW_DAYS)
    with_region = orders.with_columns(
        region=pl.col("buyer_ref").replace_strict(
            dict(regions), default=None, return_dtype=pl.String
        )
    )
    region_buyers = {
        str(region): buyers_between(0, WINDOW_DAYS, part)
        for (region,), part in with_region.drop_nulls("region")
        .partition_by("region", as_dict=True)
        .items()
    }
    orders_per_pair = orders.group_by("buyer_ref", "item").agg(n=pl.len())
    rates = orders_per_pair.group_by("item").agg((pl.col("n") >= 2).mean().alias("rate"))
    repeat_rate = np.zeros(n_items)
    repeat_rate[rates["item"].to_numpy().astype(np.int64)] = rates["rate"].to_numpy()
    per_day_recent = recent / RECENT_DAYS
    per_day_earlier = earlier / (WINDOW_DAYS - RECENT_DAYS)
    trend = np.tanh(np.log((per_day_recent * 28 + 1) / (per_day_earlier * 28 + 1)))
    return ItemSignals(
        n_items=n_items,
        ease=ease,
        cosine=cosine,
        median_units=median,
        recent_buyers=recent,
        earlier_buyers=earlier,
        window_buyers=window,
        region_buyers=region_buyers,
        popularity=_log_scaled(window),
        region_popularity={r: _log_scaled(v) for r, v in region_buyers.items()},
        trend=trend,
        repeat_rate=repeat_rate,
        recent_popularity=_log_scaled(recent),
    )


def _log_scaled(counts: np.ndarray) -> np.ndarray:
    top = float(np.log1p(counts.max())) if counts.size else 0.0
    if top <= 0:
        return np.zeros_like(counts, dtype=np.float64)
    return np.asarray(np.log1p(counts) / top, dtype=np.float64)


def features(
    signals: ItemSignals, owned: History | None, region: str | None, horizon_days: float
) -> Features:
    """One buyer's signals (``owned`` None: a buyer without history)."""
    n = signals.n_items
    strength = np.zeros(n)
    due = np.zeros(n)
    flag = np.zeros(n)
    orders = np.zeros(n)
    recency = np.zeros(n)
    similar = np.zeros(n)
    share = np.zeros(n)
    raw = np.zeros(n)
    cosine = np.zeros(n)
    buyer_orders = 0.0
    idle = np.log1p(365.0)
    if owned is not None:
        buyer_orders = float(np.log1p(owned.invoices))
        idle = float(np.log1p(owned.idle_days))
        share[owned.items] = owned.orders / max(1, owned.invoices)
        items = owned.items
        strength[items] = np.log1p(owned.strength)
        due[items] = policies.dueness(
            owned.orders,
            owned.first_age,
            owned.last_age,
            horizon_days,
        )
        flag[items] = 1.0
        orders[items] = np.log1p(owned.orders)
        recency[items] = np.exp2(-owned.last_age / 30.0)
        raw = np.asarray(signals.ease[items].sum(axis=0, dtype=np.float64))
        top = float(raw.max()) if raw.size else 0.0
        if top > 0:
            similar = np.clip(raw / top, 0.0, 1.0)
        near = np.asarray(signals.cosine[items].sum(axis=0, dtype=np.float64))
        if near.size and near.max() > 0:
            cosine = near / near.max()
    region_popularity = signals.region_popularity.get(region or "", signals.popularity)
    return Features(
        strength=strength,
        due=due,
        owned=flag,
        orders=orders,
        recency=recency,
        similar=similar,
        popularity=signals.popularity,
        region_popularity=region_popularity,
        trend=signals.trend,
        share=share,
        repeat_rate=signals.repeat_rate,
        recent_popularity=signals.recent_popularity,
        ease_raw=raw,
        buyer_orders=np.full(n, buyer_orders),
        idle=np.full(n, idle),
        cosine=cosine,
    )


def blend(feats: Features, weights: tuple[float, ...]) -> np.ndarray:
    return np.asarray(feats.matrix() @ np.asarray(weights, dtype=np.float64))


def anchor_item(signals: ItemSignals, owned: History, item: int) -> int | None:
    """The buyer's own SKU that most explains an EASE pick (largest B[own, item])."""
    items = owned.items
    if items.size == 0:
        return None
    column = signals.ease[items, item]
    best = int(np.argmax(column))
    return int(items[best]) if column[best] > 0 else None


def fit_weights(rows: np.ndarray, labels: np.ndarray) -> tuple[float, ...] | None:
    """Logistic regression weights (Newton's method, a little L2); the intercept is
    dropped (it does not change a ranking). None when there is too little to learn from."""
    positives = float(labels.sum())
    if rows.shape[0] < 200 or positives < 20 or positives == labels.size:
        return None
    x = np.column_stack([rows, np.ones(rows.shape[0])])
    w = np.zeros(x.shape[1])
    ridge = 1.0 * np.eye(x.shape[1])
    ridge[-1, -1] = 0.0
    for _ in range(30):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (p - labels) + ridge @ w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + ridge + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-6:
            break
    return tuple(float(v) for v in w[:-1])


SHORTLIST = 200
TUNE_ROUNDS = 1  # rounds of the coordinate search (each costs seconds on UCI)


def shortlist(feats: Features, owned: History, *, include_owned: bool) -> np.ndarray:
    """The SKUs worth a closer look: the buyer's own (if included) and the SHORTLIST
    best others by the default blend for new SKUs."""
    prior = blend(feats, DEFAULT_WEIGHTS.new)
    prior[owned.items] = -np.inf
    top = min(SHORTLIST, prior.size)
    others = np.argpartition(-prior, top - 1)[:top]
    others = others[np.isfinite(prior[others])]
    return np.concatenate([owned.items, others]) if include_owned else others


def tune_for_recall(
    groups: list[tuple[np.ndarray, np.ndarray, int]], start: tuple[float, ...], top: int = 20
) -> tuple[float, ...]:
    """Coordinate search of the weights that maximise recall@top over ``groups`` (per
    buyer: candidate rows, their labels, the number of SKUs it bought), from ``start``.

    The logistic fit weighs every row alike; this tunes for what is measured: the share
    of each buyer's next purchases in its top ``top``.
    """
    if not groups:
        return start
    width = max(g[0].shape[0] for g in groups)
    n_features = groups[0][0].shape[1]
    rows = np.zeros((len(groups), width, n_features))
    labels = np.zeros((len(groups), width))
    mask = np.zeros((len(groups), width), dtype=bool)
    for i, (x, y, _total) in enumerate(groups):
        rows[i, : x.shape[0]] = x
        labels[i, : x.shape[0]] = y
        mask[i, : x.shape[0]] = True
    totals = np.array([max(1, g[2]) for g in groups], dtype=np.float64)
    k = min(top, width)

    def recall(weights: np.ndarray) -> float:
        scores = np.where(mask, rows @ weights, -np.inf)
        picked = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        hits = np.take_along_axis(labels, picked, axis=1).sum(axis=1)
        return float(np.mean(hits / totals))

    best = np.asarray(start, dtype=np.float64)
    best_value = recall(best)
    spread = rows[mask].std(axis=0) + 1e-9
    for _round in range(TUNE_ROUNDS):
        for f in range(n_features):
            step = 1.0 / spread[f] * max(0.25, float(np.abs(best).mean()))
            for candidate in (0.0, best[f] * 0.5, best[f] * 2.0, best[f] + step, best[f] - step):
                trial = best.copy()
                trial[f] = candidate
                value = recall(trial)
                if value > best_value + 1e-6:
                    best, best_value = trial, value
    return tuple(float(w) for w in best)
