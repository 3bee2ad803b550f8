"""Often ordered together, on the real UCI Online Retail data: hit@5 of a hidden item.

Learn from the invoices before a cut date (gross product lines only: no cancellations,
returns or non-product codes, as the history import flags them); for each invoice at
or after the cut with two or more products, hide one at random (seeded per invoice)
and rank candidates from the rest; a hit is the hidden product in the top 5. In the
same run, on the same cases:

- ``bundles_hit5``: microbag's ranking (``bundles.mining.TogetherModel.suggest``, the
  code ``microbag plan together`` runs): basket-size-weighted cosine summed over the
  basket's SKUs, popularity back-off;
- ``bundles_hit5_pair_counts``: plain pair counts summed over the basket's SKUs (ties
  by popularity);
- ``bundles_hit5_popularity``: the most bought products before the cut;
- ``bundles_hit5_gain``: bundles_hit5 / bundles_hit5_pair_counts - 1 (goal >= 0.20).

Those four are the mean over the cut dates; ``bundles_detail`` has each cut's figures
(cases, hits, seconds). The items of a hidden product never seen before the cut count
as misses for every method.

    python -m bench.run --only bundles [--quick]
"""

from __future__ import annotations

import json
import random
import time
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from bench.intelligence import DATA, MAPPING
from microbag.bundles.mining import TogetherModel

CUTS = ("2011-09-01", "2011-11-01")
QUICK_CUTS = ("2011-11-01",)
TOP = 5
SEED = 2026


def read_baskets() -> pl.DataFrame:
    """One row per invoice: its time and its distinct products (gross sale lines)."""
    mapping = json.loads(MAPPING.read_text())
    files = sorted(DATA.glob("online_retail_*.csv.gz"))
    text = pl.String
    frame = pl.concat(
        [
            pl.read_csv(
                f,
                columns=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate"],
                schema_overrides={"InvoiceNo": text, "StockCode": text},
            )
            for f in files
        ]
    )
    pattern = "|".join(f"(?:{p})" for p in mapping["non_product_patterns"])
    lines = frame.filter(
        ~pl.col("InvoiceNo").str.starts_with(mapping["cancellation_prefix"]),
        pl.col("Quantity") > 0,
        ~pl.col("StockCode").is_in(mapping["non_product_codes"]),
        ~pl.col("StockCode").str.contains(pattern),
    ).with_columns(at=pl.col("InvoiceDate").str.to_datetime("%Y-%m-%d %H:%M:%S"))
    return (
        lines.group_by("InvoiceNo")
        .agg(at=pl.col("at").min(), items=pl.col("StockCode").unique().sort())
        .sort("at", "InvoiceNo")
    )


def _cases(test: pl.DataFrame) -> list[tuple[str, list[str]]]:
    """(hidden product, the rest) per later invoice with >= 2 products; the hidden one
    is drawn with a generator seeded by the invoice, so runs and methods agree."""
    cases = []
    for invoice, items in zip(test["InvoiceNo"].to_list(), test["items"].to_list(), strict=True):
        if len(items) < 2:
            continue
        hidden = random.Random(f"{SEED}:{invoice}").choice(items)
        cases.append((hidden, [i for i in items if i != hidden]))
    return cases


def _top_by(scores: np.ndarray, popularity_rank: np.ndarray, exclude: list[int]) -> np.ndarray:
    scores = scores.astype(np.float64)
    scores[exclude] = -np.inf
    return np.lexsort((popularity_rank, -scores))[:TOP]


def score_cut(baskets: pl.DataFrame, cut: str) -> dict[str, Any]:
    at = datetime.fromisoformat(cut)
    train = baskets.filter(pl.col("at") < at)
    test = baskets.filter(pl.col("at") >= at)
    t0 = time.perf_counter()
    model = TogetherModel(train["items"].to_list())
    fit_s = time.perf_counter() - t0
    cases = _cases(test)
    index = model.index
    rank = np.empty(len(model.codes), dtype=np.int64)
    rank[[index[c] for c in model.popular]] = np.arange(len(model.popular))
    together = model.together
    hits = {"ours": 0, "pair_counts": 0, "popularity": 0}
    t1 = time.perf_counter()
    for hidden, rest in cases:
        ours = {t.sku for t in model.suggest(rest, TOP, explain=False)}
        hits["ours"] += hidden in ours
        if hidden not in index:
            continue
        inside = [index[s] for s in rest if s in index]
        h = index[hidden]
        counts = (
            np.asarray(together[inside].sum(axis=0)).ravel()
            if inside
            else np.zeros(len(model.codes))
        )
        hits["pair_counts"] += h in _top_by(counts, rank, inside)
        hits["popularity"] += h in _top_by(np.zeros(len(model.codes)), rank, inside)
    n = len(cases)
    return {
        "cut": cut,
        "train_baskets": model.n_baskets,
        "cases": n,
        "hit5": round(hits["ours"] / n, 4),
        "hit5_pair_counts": round(hits["pair_counts"] / n, 4),
        "hit5_popularity": round(hits["popularity"] / n, 4),
        "fit_seconds": round(fit_s, 2),
        "score_seconds": round(time.perf_counter() - t1, 2),
    }


def run(_pg_url: str | None, quick: bool) -> dict[str, Any]:
    if not DATA.exists():
        return {"bundles_skipped": f"no data at {DATA}"}
    baskets = read_baskets()
    detail = [score_cut(baskets, cut) for cut in (QUICK_CUTS if quick else CUTS)]
    ours = float(np.mean([d["hit5"] for d in detail]))
    pairs = float(np.mean([d["hit5_pair_counts"] for d in detail]))
    popular = float(np.mean([d["hit5_popularity"] for d in detail]))
    return {
        "bundles_hit5": round(ours, 4),
        "bundles_hit5_pair_counts": round(pairs, 4),
        "bundles_hit5_popularity": round(popular, 4),
        "bundles_hit5_gain": round(ours / pairs - 1, 3) if pairs else None,
        "bundles_detail": detail,
    }


if __name__ == "__main__":
    print(json.dumps(run(None, False)))
