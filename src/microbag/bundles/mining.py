"""Mining baskets for SKUs ordered together (no database: baskets in, rules out).

The ranking score of a pair (i, j) is a basket-size-weighted cosine:

    score(i, j) = sum over baskets b holding i and j of 1 / (|b| - 1)
                  / sqrt(baskets holding i * baskets holding j)

Plain pair counts favour the best sellers (they sit in every basket), and a wholesale
basket of 300 SKUs says little about which two of them belong together; dividing each
basket's pairs by its size and normalising by both SKUs' counts removes both. On the
UCI data it finds the hidden item of a basket in its top 5 about twice as often as
plain pair counts (bench/bundles.py, docs/planning.md). Support, confidence and lift
are kept beside it for reading. Ties and empty places fall back to popularity.

Small sets (two SKUs that, together, lead to a third) are mined with efficient-apriori
on the baskets of ordinary size (at most ``SET_BASKET_MAX`` SKUs: its candidate
counting grows with the square of a basket's size, and the largest wholesale baskets
would dominate it for nothing).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from efficient_apriori import apriori

from microbag.bundles.policies import Partner, Together, set_key

PARTNERS_PER_SKU = 20
MIN_PAIR_BASKETS = 2
SET_BASKET_MAX = 30
SET_MIN_BASKETS = 15
SET_MIN_CONFIDENCE = 0.3
SET_RULES_MAX = 2000

Progress = Callable[[str, int, int], None]


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


@dataclass(frozen=True)
class MinedRule:
    antecedent: tuple[str, ...]
    consequent: str
    baskets: int
    support: float
    confidence: float
    lift: float
    score: float
    rank: int

    @property
    def antecedent_key(self) -> str:
        return set_key(self.antecedent)


class TogetherModel:
    """Pair statistics over a set of baskets, and the ranking built on them."""

    def __init__(self, baskets: Iterable[Collection[str]]) -> None:
        kept = [sorted(set(b)) for b in baskets]
        kept = [b for b in kept if b]
        self.codes: list[str] = sorted({sku for b in kept for sku in b})
        self.index: dict[str, int] = {c: i for i, c in enumerate(self.codes)}
        self.n_baskets = len(kept)
        n = len(self.codes)
        rows = np.repeat(np.arange(len(kept)), [len(b) for b in kept])
        cols = np.fromiter(
            (self.index[s] for b in kept for s in b), dtype=np.int64, count=len(rows)
        )
        x = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(len(kept), n)
        )
        sizes = np.asarray(x.sum(axis=1)).ravel()
        together = (x.T @ x).tocsr()
        self.counts = together.diagonal().astype(np.int64)
        together.setdiag(0)
        together.eliminate_zeros()
        self.together = together
        per_pair = sp.diags(1.0 / np.maximum(sizes - 1.0, 1.0))
        weighted = (x.T @ (per_pair @ x)).tocsr()
        weighted.setdiag(0)
        weighted.eliminate_zeros()
        norm = sp.diags(1.0 / np.sqrt(np.maximum(self.counts, 1).astype(np.float64)))
        self.scores = (norm @ weighted @ norm).tocsr()
        # Same pairs in both (a pair's weight is positive iff it was ordered together),
        # sorted alike: a row's counts are then read by position, not looked up.
        self.together.sort_indices()
        self.scores.sort_indices()
        if not (
            np.array_equal(self.together.indptr, self.scores.indptr)
            and np.array_equal(self.together.indices, self.scores.indices)
        ):
            raise AssertionError("pair counts and scores disagree on the pairs")
        # Most baskets first, then code: the back-off order and the tie-break.
        order = sorted(range(n), key=lambda i: (-int(self.counts[i]), self.codes[i]))
        self.popular: list[str] = [self.codes[i] for i in order]
        self._popularity_rank = np.empty(n, dtype=np.int64)
        self._popularity_rank[order] = np.arange(n)

    def partners(self, sku: str, limit: int = PARTNERS_PER_SKU) -> list[Partner]:
        """``sku``'s strongest partners (at least ``MIN_PAIR_BASKETS`` baskets together)."""
        i = self.index.get(sku)
        if i is None:
            return []
        return [p for p, _r in self._partner_rows(i, limit)]

    def _partner_rows(self, i: int, limit: int) -> list[tuple[Partner, int]]:
        start, end = self.scores.indptr[i], self.scores.indptr[i + 1]
        cols = self.scores.indices[start:end]
        vals = self.scores.data[start:end]
        pair_counts = self.together.data[start:end].astype(np.int64)
        keep = pair_counts >= MIN_PAIR_BASKETS
        cols, vals, pair_counts = cols[keep], vals[keep], pair_counts[keep]
        order = np.lexsort((self._popularity_rank[cols], -vals))[:limit]
        n_i, n = int(self.counts[i]), self.n_baskets
        out = []
        for k in order:
            j = int(cols[k])
            both = int(pair_counts[k])
            out.append(
                (
                    Partner(
                        sku=self.codes[j],
                        score=float(vals[k]),
                        baskets=both,
                        confidence=both / n_i,
                        lift=both * n / (n_i * int(self.counts[j])),
                    ),
                    j,
                )
            )
        return out

    def suggest(
        self,
        basket: Collection[str],
        top_k: int,
        *,
        allowed: Collection[str] | None = None,
        explain: bool = True,
    ) -> list[Together]:
        """The same ranking as ``policies.rank_together`` over every partner, vectorised:
        summed scores over the basket's SKUs, ties by popularity, popular back-off.
        Without ``explain``, ``because_of`` stays empty (the bench's many baskets)."""
        if top_k <= 0 or not self.codes:
            return []
        inside = sorted({self.index[s] for s in basket if s in self.index})
        total = np.zeros(len(self.codes))
        if inside:
            total = np.asarray(self.scores[inside].sum(axis=0)).ravel()
        excluded = set(inside)
        if allowed is not None:
            mask = np.zeros(len(self.codes), dtype=bool)
            mask[[self.index[s] for s in allowed if s in self.index]] = True
            total = np.where(mask, total, -1.0)
        total[list(excluded)] = -1.0
        # Highest score first; equal scores (zero: the back-off) by popularity.
        order = [int(j) for j in np.lexsort((self._popularity_rank, -total))[:top_k]]
        order = [j for j in order if total[j] >= 0]
        columns = None
        if explain and inside and order:
            columns = self.scores[inside][:, order].toarray()
        out: list[Together] = []
        for position, j in enumerate(order):
            because: tuple[str, ...] = ()
            if columns is not None and total[j] > 0:
                column = columns[:, position]
                because = tuple(
                    self.codes[inside[k]]
                    for k in sorted(range(len(inside)), key=lambda k: (-column[k], k))
                    if column[k] > 0
                )
            out.append(Together(self.codes[j], len(out) + 1, float(total[j]), because))
        return out

    def pair_rules(
        self, limit: int = PARTNERS_PER_SKU, progress: Progress = _no_progress
    ) -> list[MinedRule]:
        """Every SKU's strongest partners as rules ``sku -> partner`` ranked 1..limit."""
        rules: list[MinedRule] = []
        n = len(self.codes)
        for i in range(n):
            for rank, (p, _j) in enumerate(self._partner_rows(i, limit), start=1):
                rules.append(
                    MinedRule(
                        (self.codes[i],),
                        p.sku,
                        p.baskets,
                        p.baskets / self.n_baskets,
                        p.confidence,
                        p.lift,
                        p.score,
                        rank,
                    )
                )
            if i % 500 == 0:
                progress("ranking partners", i, n)
        progress("ranking partners", n, n)
        return rules


def set_rules(
    baskets: Sequence[Collection[str]],
    *,
    max_basket: int = SET_BASKET_MAX,
    min_baskets: int = SET_MIN_BASKETS,
    min_confidence: float = SET_MIN_CONFIDENCE,
    limit: int = SET_RULES_MAX,
) -> list[MinedRule]:
    """Rules {a, b} -> c from efficient-apriori's frequent 3-sets (baskets of at most
    ``max_basket`` SKUs), strongest by lift then confidence, ranked per antecedent."""
    transactions = [tuple(sorted(set(b))) for b in baskets if 3 <= len(set(b)) <= max_basket]
    if len(transactions) < min_baskets:
        return []
    _itemsets, found = apriori(
        transactions,
        min_support=min_baskets / len(transactions),
        min_confidence=min_confidence,
        max_length=3,
    )
    n = len(transactions)
    chosen = [r for r in found if len(r.lhs) == 2 and len(r.rhs) == 1]
    chosen.sort(key=lambda r: (-r.lift, -r.confidence, r.lhs, r.rhs))
    chosen = chosen[:limit]
    ranks: dict[tuple[str, ...], int] = {}
    rules = []
    for r in chosen:
        lhs = tuple(str(s) for s in r.lhs)
        ranks[lhs] = ranks.get(lhs, 0) + 1
        together = round(r.support * n)
        rules.append(
            MinedRule(
                lhs,
                str(r.rhs[0]),
                max(together, 1),
                float(r.support),
                float(r.confidence),
                float(r.lift),
                # The set's own strength on the pairs' scale (confidence x log-lift).
                float(r.confidence * math.log1p(max(r.lift, 0.0))),
                ranks[lhs],
            )
        )
    return rules
