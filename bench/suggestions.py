"""Suggested orders on the real UCI Online Retail data: recall@20 against the baselines.

At each cut date: fit on every sale line before the cut (the engine the CLI runs,
``SuggestionModel``), suggest the top 20 per customer, score against the SKUs each
customer bought in the 8 weeks from the cut. recall@20 = |top 20 ∩ bought| / |bought|,
averaged over the customers active on both sides of the cut. Discovery recall@20: the
same over SKUs the customer had never bought before the cut (customers with at least
one), our model ranking only new SKUs (``new_only``).

Baselines, same customers, same run: global popularity of the last 12 weeks (distinct
customers); the customer's own most repeated SKUs (padded with popularity); own
repeats plus item-to-item cosine co-occurrence; EASE (Steck 2019, closed form). EASE's
lambda (one for all SKUs, one for discovery) and the cosine blend's weight are tuned on
an earlier cut (TUNING_CUT), never on a scored one. For discovery the baselines are
popularity and EASE, owned SKUs removed.

    python -m bench.run --only suggestions [--quick]
"""

from __future__ import annotations

import json
import time
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
TOP = 20
HORIZON_DAYS = 56
TUNING_CUT = date(2011, 5, 16)
CUTS = (date(2011, 7, 4), date(2011, 8, 15), date(2011, 9, 12), date(2011, 10, 10))
QUICK_CUTS = (date(2011, 8, 15), date(2011, 10, 10))
EASE_LAMBDAS = (10.0, 50.0, 250.0, 1000.0, 3000.0)
COSINE_WEIGHTS = (0.25, 0.5, 1.0, 2.0, 4.0)
POPULAR_DAYS = 84


def load_purchases(folder: Path = DATA) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Sale lines of known customers (no cancellations, returns or non-product codes) as
    the engine's purchases frame, and a profile (region) per customer."""
    from microbag.history.policies import place_for_country
    from microbag.suggestions.engine import BuyerProfile

    mapping = json.loads(MAPPING.read_text())
    text = pl.String
    frame = pl.concat(
        [
            pl.read_csv(
                f, schema_overrides={"InvoiceNo": text, "StockCode": text, "CustomerID": text}
            )
            for f in sorted(folder.glob("online_retail_*.csv.gz"))
        ]
    )
    pattern = "|".join(f"(?:{p})" for p in mapping["non_product_patterns"])
    lines = frame.filter(
        ~pl.col("InvoiceNo").str.starts_with(mapping["cancellation_prefix"]),
        pl.col("Quantity") > 0,
        pl.col("CustomerID").is_not_null(),
        ~pl.col("StockCode").is_in(mapping["non_product_codes"]),
        ~pl.col("StockCode").str.contains(pattern),
    ).select(
        buyer_ref=pl.col("CustomerID").str.replace(r"^(\d+)\.0+$", "${1}"),
        sku=pl.col("StockCode"),
        day=pl.col("InvoiceDate").str.to_datetime("%Y-%m-%d %H:%M:%S").dt.date(),
        invoice=pl.col("InvoiceNo"),
        units=pl.col("Quantity").cast(pl.Int64),
        country=pl.col("Country"),
    )
    countries = lines.group_by("buyer_ref").agg(pl.col("country").mode().first())
    profiles = {
        ref: BuyerProfile(ref, place_for_country(country).region, None)
        for ref, country in countries.iter_rows()
    }
    return lines.drop("country"), profiles


# ---- the baselines ------------------------------------------------------------------------


class Baselines:
    """Popularity, own repeats, own repeats + cosine, EASE on the lines before a cut."""

    def __init__(self, train: pl.DataFrame, cut: date, lam: float) -> None:
        from microbag.suggestions.ranking import gram_matrix

        self.skus = sorted(train["sku"].unique().to_list())
        self.index = {s: i for i, s in enumerate(self.skus)}
        n = len(self.skus)
        coded = train.with_columns(
            item=pl.col("sku").replace_strict(self.index, return_dtype=pl.Int64)
        )
        recent = coded.filter(pl.col("day") >= cut - timedelta(days=POPULAR_DAYS))
        counts = recent.group_by("item").agg(pl.col("buyer_ref").n_unique())
        self.popularity = np.zeros(n)
        self.popularity[counts["item"].to_numpy()] = counts["buyer_ref"].to_numpy()
        repeats = coded.group_by("buyer_ref", "item").agg(
            orders=pl.col("invoice").n_unique(), last=pl.col("day").max()
        )
        self.owned: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for (ref,), part in repeats.partition_by("buyer_ref", as_dict=True).items():
            # Ties between equally repeated SKUs: the more recent first.
            recency = part.select((pl.col("last") - pl.lit(cut)).dt.total_days())
            recency = recency.to_series().to_numpy() / 1000.0
            self.owned[str(ref)] = (
                part["item"].to_numpy(),
                part["orders"].to_numpy().astype(np.float64) + recency,
            )
        pairs = coded.select("buyer_ref", "item").unique()
        self.gram = gram_matrix(pairs, n)
        self.set_lambda(lam)
        counts = np.sqrt(np.maximum(np.diag(self.gram).astype(np.float64), 1.0))
        self.cosine = (self.gram / counts[:, None] / counts[None, :]).astype(np.float32)
        np.fill_diagonal(self.cosine, 0.0)

    def set_lambda(self, lam: float) -> None:
        from microbag.suggestions.ranking import ease_from_gram

        self.lam = lam
        self.ease = ease_from_gram(self.gram, lam)

    def popular(self, ref: str, new_only: bool = False) -> list[str]:
        scores = self.popularity.copy()
        if new_only:
            scores[self.owned[ref][0]] = -np.inf
        return self._top(scores)

    def repeats(self, ref: str) -> list[str]:
        items, orders = self.owned[ref]
        scores = self.popularity / (self.popularity.max() + 1.0)  # padding below any own SKU
        scores[items] = orders + 1.0
        return self._top(scores)

    def repeats_cosine(self, ref: str, weight: float) -> list[str]:
        items, orders = self.owned[ref]
        similar = self.cosine[items].sum(axis=0, dtype=np.float64)
        top = similar.max()
        scores = weight * (similar / top if top > 0 else similar)
        scores[items] += np.log1p(orders)
        return self._top(scores)

    def ease_tops(self, refs: list[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """EASE's top 20 per customer (all SKUs, new SKUs only), scored in one product."""
        x = np.zeros((len(refs), len(self.skus)), dtype=np.float32)
        for row, ref in enumerate(refs):
            x[row, self.owned[ref][0]] = 1.0
        scores = (x @ self.ease).astype(np.float64)
        tops: dict[str, list[str]] = {}
        new: dict[str, list[str]] = {}
        for row, ref in enumerate(refs):
            tops[ref] = self._top(scores[row])
            scores[row, self.owned[ref][0]] = -np.inf
            new[ref] = self._top(scores[row])
        return tops, new

    def _top(self, scores: np.ndarray) -> list[str]:
        top = np.argpartition(-scores, TOP)[:TOP]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [self.skus[i] for i in top if np.isfinite(scores[i])]


# ---- scoring ------------------------------------------------------------------------------


def truths(
    purchases: pl.DataFrame, cut: date
) -> tuple[pl.DataFrame, dict[str, set[str]], dict[str, set[str]]]:
    """(lines before the cut, SKUs bought in the 8 weeks from it, the new ones among them)
    for customers active on both sides."""
    train = purchases.filter(pl.col("day") < cut)
    after = purchases.filter(
        pl.col("day") >= cut, pl.col("day") < cut + timedelta(days=HORIZON_DAYS)
    )
    before: dict[str, set[str]] = {}
    for ref, skus in train.group_by("buyer_ref").agg(pl.col("sku").unique()).iter_rows():
        before[ref] = set(skus)
    bought: dict[str, set[str]] = {}
    for ref, skus in after.group_by("buyer_ref").agg(pl.col("sku").unique()).iter_rows():
        if ref in before:
            bought[ref] = set(skus)
    new = {ref: skus - before[ref] for ref, skus in bought.items() if skus - before[ref]}
    return train, bought, new


def recall(picks: dict[str, list[str]], truth: dict[str, set[str]]) -> float:
    values = [len(set(picks[ref][:TOP]) & skus) / len(skus) for ref, skus in truth.items()]
    return float(np.mean(values)) if values else 0.0


def tune(purchases: pl.DataFrame) -> tuple[float, float, float]:
    """EASE's lambda (for all SKUs, and for discovery) and the cosine weight, chosen on
    TUNING_CUT (never a scored cut)."""
    train, bought, new = truths(purchases, TUNING_CUT)
    best_lam, best = EASE_LAMBDAS[0], -1.0
    new_lam, best_new = EASE_LAMBDAS[0], -1.0
    base = Baselines(train, TUNING_CUT, EASE_LAMBDAS[0])
    for lam in EASE_LAMBDAS:
        base.set_lambda(lam)
        tops, new_tops = base.ease_tops(sorted(bought))
        value = recall(tops, bought)
        if value > best:
            best_lam, best = lam, value
        value = recall({r: new_tops[r] for r in new}, new)
        if value > best_new:
            new_lam, best_new = lam, value
    best_weight, best = COSINE_WEIGHTS[0], -1.0
    for weight in COSINE_WEIGHTS:
        value = recall({r: base.repeats_cosine(r, weight) for r in bought}, bought)
        if value > best:
            best_weight, best = weight, value
    return best_lam, new_lam, best_weight


def score_cut(
    purchases: pl.DataFrame,
    profiles: dict[str, Any],
    cut: date,
    lams: tuple[float, float],
    weight: float,
) -> dict[str, Any]:
    from microbag.suggestions.engine import SuggestionModel

    train, bought, new = truths(purchases, cut)
    t0 = time.perf_counter()
    model = SuggestionModel.fit(train, profiles, cut - timedelta(days=1))
    fit_seconds = time.perf_counter() - t0
    ours = {r: [s.sku for s in model.suggest(r, TOP)] for r in bought}
    ours_new = {r: [s.sku for s in model.suggest(r, TOP, new_only=True)] for r in new}
    base = Baselines(train, cut, lams[0])
    ease_tops, _ = base.ease_tops(sorted(bought))
    if lams[1] != lams[0]:
        base.set_lambda(lams[1])
    _, ease_new = base.ease_tops(sorted(new))
    measures = {
        "microbag": recall(ours, bought),
        "popularity": recall({r: base.popular(r) for r in bought}, bought),
        "own_repeats": recall({r: base.repeats(r) for r in bought}, bought),
        "repeats_cosine": recall({r: base.repeats_cosine(r, weight) for r in bought}, bought),
        "ease": recall(ease_tops, bought),
    }
    discovery = {
        "microbag": recall(ours_new, new),
        "popularity": recall({r: base.popular(r, True) for r in new}, new),
        "ease": recall(ease_new, new),
    }
    return {
        "cut": cut.isoformat(),
        "customers": len(bought),
        "discovery_customers": len(new),
        "recall20": measures,
        "discovery_recall20": discovery,
        "fit_seconds": round(fit_seconds, 1),
        "learned_weights": model.weights.learned,
    }


def _gain(ours: float, best: float) -> float:
    return round(ours / best - 1.0, 4) if best > 0 else 0.0


def run(pg_url: str | None = None, quick: bool = False) -> dict[str, Any]:
    if not DATA.exists():
        return {"suggestions_skipped": f"{DATA} is absent"}
    purchases, profiles = load_purchases()
    lam, new_lam, weight = tune(purchases)
    cuts = QUICK_CUTS if quick else CUTS
    details = [score_cut(purchases, profiles, cut, (lam, new_lam), weight) for cut in cuts]
    out: dict[str, Any] = {
        "suggestions_ease_lambda": lam,
        "suggestions_ease_lambda_discovery": new_lam,
        "suggestions_cosine_weight": weight,
    }
    for measure, prefix in (
        ("recall20", "suggestions_recall20"),
        ("discovery_recall20", "suggestions_discovery_recall20"),
    ):
        names = list(details[0][measure])
        mean = {n: float(np.mean([d[measure][n] for d in details])) for n in names}
        baselines = {n: v for n, v in mean.items() if n != "microbag"}
        best_name = max(baselines, key=lambda n: baselines[n])
        out[prefix] = round(mean["microbag"], 4)
        for name, value in baselines.items():
            out[f"{prefix}_{name}"] = round(value, 4)
        out[f"{prefix}_best_baseline"] = round(baselines[best_name], 4)
        out[f"{prefix}_best_baseline_name"] = best_name
        out[f"{prefix}_gain"] = _gain(mean["microbag"], baselines[best_name])
        gains = []
        for d in details:
            per_best = max(v for n, v in d[measure].items() if n != "microbag")
            gains.append(_gain(d[measure]["microbag"], per_best))
        out[f"{prefix}_gain_min"] = min(gains)
        out[f"{prefix}_cuts_over_10pct"] = sum(g >= 0.10 for g in gains)
    out["suggestions_cuts"] = [
        {
            "cut": d["cut"],
            "customers": d["customers"],
            "discovery_customers": d["discovery_customers"],
            "recall20": {k: round(v, 4) for k, v in d["recall20"].items()},
            "discovery_recall20": {k: round(v, 4) for k, v in d["discovery_recall20"].items()},
            "fit_seconds": d["fit_seconds"],
        }
        for d in details
    ]
    return out


if __name__ == "__main__":
    print(json.dumps(run(quick=False)))
