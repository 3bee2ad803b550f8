"""The suggested-orders model: which SKUs a buyer is likely to order next, and how many.

No database here (``service.build_model`` loads the purchases). ``SuggestionModel.fit``
summarises the purchases up to ``as_of``; ``suggest`` ranks every candidate SKU for one
buyer by a weighted blend of signals, each of which also yields the plain-words reason
printed on the line:

- the buyer's own history: recency-weighted repeat strength (an order 90 days old counts
  half) and due-ness (time since the last order against the usual interval);
- buyers like it: EASE (Steck 2019), a closed-form item-to-item model learned from every
  buyer's basket, and what buyers of the same region bought lately;
- the trend: SKUs ordered by more buyers in the last 4 weeks than the 8 before;
- where the buyer has no history: the region's recent favourites weighted by the market
  brief's priors (bag type per segment, color family per region), basis "prior".

The blend's weights are learned on the history itself when it is large enough
(``ranking.learn_weights``: a logistic fit of "ordered in the 8 weeks after an earlier
cut" on the same signals at that cut), else the defaults measured on UCI.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import numpy as np
import polars as pl

from microbag.suggestions import policies, ranking

POPULAR_RECENT_WEEKS = 4
POPULAR_WINDOW_WEEKS = 12


class PriorKnowledge(Protocol):
    """The part of ``microbag.knowledge.facts.Knowledge`` the engine reads."""

    def type_weight(self, segment: str, bag_type: str) -> float: ...

    def color_weight(self, region: str, color_family: str) -> float: ...


@dataclass(frozen=True)
class BuyerProfile:
    buyer_ref: str
    region: str | None
    segment: str | None


@dataclass(frozen=True)
class Suggestion:
    sku: str
    rank: int
    units: int
    score: float
    reasons: tuple[str, ...]  # plain words, e.g. "reordered every 6 weeks, 48 units each time"
    basis: str  # "data" (the buyer's or similar buyers' history) or "prior" (no history)


class SuggestionModel:
    """Fitted state; build with :meth:`fit`."""

    def __init__(
        self,
        *,
        as_of: date,
        skus: list[str],
        owned: dict[str, ranking.History],
        signals: ranking.ItemSignals,
        profiles: Mapping[str, BuyerProfile],
        weights: ranking.Weights,
        knowledge: PriorKnowledge | None,
        sku_attributes: Mapping[str, Mapping[str, str]],
        trend_notes: Mapping[str, str],
    ) -> None:
        self.as_of = as_of
        self.skus = skus
        self.sku_index = {s: i for i, s in enumerate(skus)}
        self._owned = owned
        self._signals = signals
        self.profiles = dict(profiles)
        self.weights = weights
        self._knowledge = knowledge
        self._attributes = sku_attributes
        self._trend_notes = trend_notes

    # ---- fitting ---------------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        purchases: pl.DataFrame,
        profiles: Mapping[str, BuyerProfile],
        as_of: date,
        *,
        knowledge: PriorKnowledge | None = None,
        sku_attributes: Mapping[str, Mapping[str, str]] | None = None,
        trend_notes: Mapping[str, str] | None = None,
        learn: bool = True,
    ) -> SuggestionModel:
        """Fit on ``purchases`` (buyer_ref, sku, day, invoice, units) dated up to ``as_of``.

        ``learn``: learn the blend's weights on an earlier cut of the same history (when
        it has enough buyers active on both sides); else the defaults.
        """
        orders = invoice_lines(purchases, as_of)
        skus = sorted(orders["sku"].unique().to_list())
        index = {s: i for i, s in enumerate(skus)}
        orders = orders.with_columns(
            item=pl.col("sku").replace_strict(index, return_dtype=pl.Int32),
            age=(pl.lit(as_of) - pl.col("day")).dt.total_days().cast(pl.Int32),
        )
        regions = {ref: p.region for ref, p in profiles.items() if p.region}
        signals = ranking.item_signals(orders, len(skus), regions)
        owned = _owned_by_buyer(orders)
        weights = ranking.DEFAULT_WEIGHTS
        if learn:
            weights = learn_weights(purchases, profiles, as_of) or weights
        return cls(
            as_of=as_of,
            skus=skus,
            owned=owned,
            signals=signals,
            profiles=profiles,
            weights=weights,
            knowledge=knowledge,
            sku_attributes=sku_attributes or {},
            trend_notes=trend_notes or {},
        )

    # ---- suggesting ------------------------------------------------------------------------

    def buyers(self) -> list[str]:
        """Every buyer with history, sorted."""
        return sorted(self._owned)

    def suggest(
        self,
        buyer_ref: str,
        top_k: int,
        *,
        also_refs: Sequence[str] = (),
        allowed: Collection[str] | None = None,
        profile: BuyerProfile | None = None,
        horizon_weeks: int = 8,
        new_only: bool = False,
    ) -> list[Suggestion]:
        """The buyer's top ``top_k`` SKUs, ranks 1..n (n <= top_k), best first.

        ``also_refs``: other buyer refs whose history counts as this buyer's (a linked
        customer). ``allowed``: only these SKUs. ``new_only``: only SKUs the buyer never
        ordered (discovery).
        """
        if top_k <= 0 or not self.skus:
            return []
        profile = profile or self.profiles.get(buyer_ref) or BuyerProfile(buyer_ref, None, None)
        owned = _merge([self._owned[r] for r in (buyer_ref, *also_refs) if r in self._owned])
        features = self._features(owned, profile, horizon_weeks * policies.DAYS_PER_WEEK)
        basis = "data" if owned is not None else "prior"
        if owned is None:
            scores = self._prior_scores(features, profile)
        else:
            weights = self.weights.new if new_only else self.weights.known
            scores = ranking.blend(features, weights)
        candidates = np.ones(len(self.skus), dtype=bool)
        if allowed is not None:
            candidates[:] = False
            picked = [self.sku_index[s] for s in allowed if s in self.sku_index]
            candidates[picked] = True
        if new_only and owned is not None:
            candidates[owned.items] = False
        pool = np.flatnonzero(candidates)
        if pool.size == 0:
            return []
        k = min(top_k, pool.size)
        part = pool[np.argpartition(-scores[pool], k - 1)[:k]]
        ranked = part[np.lexsort((part, -scores[part]))]
        return [
            self._line(int(item), rank, float(scores[item]), owned, features, profile, basis)
            for rank, item in enumerate(ranked, start=1)
        ]

    def _features(
        self, owned: ranking.History | None, profile: BuyerProfile, horizon_days: float
    ) -> ranking.Features:
        return ranking.features(self._signals, owned, profile.region, horizon_days)

    def _prior_scores(self, features: ranking.Features, profile: BuyerProfile) -> np.ndarray:
        """No history: the region's (else everyone's) recent favourites times the priors."""
        scores = 0.6 * features.region_popularity + 0.4 * features.popularity
        scores = scores + 0.1 * features.trend
        return np.asarray(scores * self._prior_factor(profile), dtype=np.float64)

    def _prior_factor(self, profile: BuyerProfile) -> np.ndarray:
        factor = np.ones(len(self.skus))
        if self._knowledge is None or not self._attributes:
            return factor
        for sku, attrs in self._attributes.items():
            i = self.sku_index.get(sku)
            if i is not None:
                factor[i] = self._prior_weight(profile, attrs)
        return factor

    def _prior_weight(self, profile: BuyerProfile, attrs: Mapping[str, str]) -> float:
        knowledge = self._knowledge
        weight = 1.0
        if knowledge is None:
            return weight
        if profile.segment and attrs.get("bag_type"):
            weight *= 0.5 + knowledge.type_weight(profile.segment, attrs["bag_type"])
        if profile.region and attrs.get("color_family"):
            weight *= 0.5 + knowledge.color_weight(profile.region, attrs["color_family"])
        return weight

    def _line(
        self,
        item: int,
        rank: int,
        score: float,
        owned: ranking.History | None,
        features: ranking.Features,
        profile: BuyerProfile,
        basis: str,
    ) -> Suggestion:
        sku = self.skus[item]
        reasons: list[str] = []
        units = int(self._signals.median_units[item])
        position = _position(owned, item)
        if owned is not None and position is not None:
            stats = policies.RepeatStats(
                orders=int(owned.orders[position]),
                first_age_days=int(owned.first_age[position]),
                last_age_days=int(owned.last_age[position]),
                median_units=int(owned.units[position]),
            )
            units = stats.median_units
            reasons.append(policies.repeat_reason(stats))
            due = policies.due_reason(stats)
            if due:
                reasons.append(due)
        elif owned is not None and features.similar[item] > 0:
            anchor = ranking.anchor_item(self._signals, owned, item)
            reasons.append(policies.similar_reason(None if anchor is None else self.skus[anchor]))
        signals = self._signals
        if profile.region and profile.region in signals.region_buyers:
            region_count = int(signals.region_buyers[profile.region][item])
            if region_count and (owned is None or position is None):
                reasons.append(
                    policies.popularity_reason(
                        region_count, 0, POPULAR_WINDOW_WEEKS, _region_words(profile.region)
                    )
                )
        recent = int(signals.recent_buyers[item])
        before = int(signals.earlier_buyers[item])
        if features.trend[item] > 0 and recent > 1.2 * before * 0.5 and position is None:
            reasons.append(
                policies.popularity_reason(recent, round(before / 2), POPULAR_RECENT_WEEKS, "")
            )
        note = self._trend_notes.get(sku)
        if note:
            reasons.append(note)
        if basis == "prior":
            prior = self._prior_text(profile, sku)
            if prior:
                reasons.append(prior)
        if not reasons:
            reasons.append(
                policies.popularity_reason(recent, 0, POPULAR_RECENT_WEEKS, "")
                if recent
                else "ordered by buyers like this one"
            )
        return Suggestion(
            sku=sku,
            rank=rank,
            units=max(1, units),
            score=round(score, 6),
            reasons=tuple(reasons),
            basis=basis,
        )

    def _prior_text(self, profile: BuyerProfile, sku: str) -> str | None:
        attrs = self._attributes.get(sku)
        if self._knowledge is None or not attrs or not profile.segment:
            return None
        bag_type = attrs.get("bag_type")
        if bag_type and self._knowledge.type_weight(profile.segment, bag_type) >= 0.5:
            return policies.prior_reason(profile.segment, "bag_type", bag_type)
        return None


def invoice_lines(purchases: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """One row per buyer, SKU and invoice (units summed) dated on or before ``as_of``."""
    return (
        purchases.lazy()
        .filter(pl.col("day") <= as_of, pl.col("units") > 0)
        .group_by("buyer_ref", "sku", "invoice")
        .agg(pl.col("day").min(), pl.col("units").sum())
        .collect()
    )


def _owned_by_buyer(orders: pl.DataFrame) -> dict[str, ranking.History]:
    per = (
        orders.group_by("buyer_ref", "item")
        .agg(
            orders=pl.len(),
            first_age=pl.col("age").max(),
            last_age=pl.col("age").min(),
            units=pl.col("units").median().round(0),
            strength=(2.0 ** (-pl.col("age").cast(pl.Float64) / policies.HALF_LIFE_DAYS)).sum(),
        )
        .sort("buyer_ref", "item")
    )
    buyers = orders.group_by("buyer_ref").agg(
        invoices=pl.col("invoice").n_unique(), idle=pl.col("age").min()
    )
    totals = {ref: (int(n), int(idle)) for ref, n, idle in buyers.iter_rows()}
    owned: dict[str, ranking.History] = {}
    for (ref,), part in per.partition_by("buyer_ref", as_dict=True, maintain_order=True).items():
        invoices, idle = totals[str(ref)]
        owned[str(ref)] = ranking.History(
            items=part["item"].to_numpy().astype(np.int64),
            orders=part["orders"].to_numpy().astype(np.float64),
            first_age=part["first_age"].to_numpy().astype(np.float64),
            last_age=part["last_age"].to_numpy().astype(np.float64),
            units=np.maximum(1, part["units"].to_numpy()).astype(np.int64),
            strength=part["strength"].to_numpy().astype(np.float64),
            invoices=invoices,
            idle_days=idle,
        )
    return owned


def _merge(parts: list[ranking.History]) -> ranking.History | None:
    """Several buyer refs' histories as one (a company and its linked customer)."""
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    items = np.concatenate([p.items for p in parts])
    unique, inverse = np.unique(items, return_inverse=True)

    def add(values: list[np.ndarray]) -> np.ndarray:
        return np.bincount(inverse, weights=np.concatenate(values), minlength=unique.size)

    first = np.full(unique.size, -np.inf)
    np.maximum.at(first, inverse, np.concatenate([p.first_age for p in parts]))
    last = np.full(unique.size, np.inf)
    np.minimum.at(last, inverse, np.concatenate([p.last_age for p in parts]))
    units = np.zeros(unique.size, dtype=np.int64)
    np.maximum.at(units, inverse, np.concatenate([p.units for p in parts]))
    return ranking.History(
        items=unique,
        orders=add([p.orders for p in parts]),
        first_age=first,
        last_age=last,
        units=units,
        strength=add([p.strength for p in parts]),
        invoices=sum(p.invoices for p in parts),
        idle_days=min(p.idle_days for p in parts),
    )


def _position(owned: ranking.History | None, item: int) -> int | None:
    if owned is None:
        return None
    at = int(np.searchsorted(owned.items, item))
    if at < owned.items.size and owned.items[at] == item:
        return at
    return None


def _region_words(region: str) -> str:
    from microbag.display_names import display_name

    return display_name(region)


LEARN_HORIZON_DAYS = 56
LEARN_MAX_BUYERS = 1000
LEARN_MIN_LINES = 1000


def learn_weights(
    purchases: pl.DataFrame, profiles: Mapping[str, BuyerProfile], as_of: date
) -> ranking.Weights | None:
    """The blend's weights, learned on the history itself: fit the signals at ``as_of``
    minus 8 weeks and regress "ordered in the 8 weeks after" on them (logistic), over
    the buyers active on both sides (sampled) and their candidates (own SKUs plus the
    best-scored others). None when there is too little to learn from."""
    cut = date.fromordinal(as_of.toordinal() - LEARN_HORIZON_DAYS)
    if purchases.filter(pl.col("day") <= cut).height < LEARN_MIN_LINES:
        return None
    earlier = SuggestionModel.fit(purchases, profiles, cut, learn=False)
    after = (
        purchases.filter(pl.col("day") > cut, pl.col("day") <= as_of, pl.col("units") > 0)
        .select("buyer_ref", "sku")
        .unique()
    )
    bought: dict[str, set[int]] = {}
    for ref, sku in after.iter_rows():
        item = earlier.sku_index.get(sku)
        if item is not None and ref in earlier._owned:
            bought.setdefault(ref, set()).add(item)
    refs = sorted(bought)
    if len(refs) > LEARN_MAX_BUYERS:
        picks = np.random.default_rng(0).choice(len(refs), LEARN_MAX_BUYERS, replace=False)
        refs = [refs[i] for i in sorted(picks)]
    known_rows, known_labels, new_rows, new_labels = [], [], [], []
    for ref in refs:
        owned = earlier._owned[ref]
        profile = earlier.profiles.get(ref) or BuyerProfile(ref, None, None)
        feats = earlier._features(owned, profile, LEARN_HORIZON_DAYS)
        others = ranking.shortlist(feats, owned, include_owned=False)
        labels_of = np.zeros(len(earlier.skus))
        labels_of[list(bought[ref])] = 1.0
        matrix = feats.matrix()
        candidates = np.concatenate([owned.items, others])
        known_rows.append(matrix[candidates])
        known_labels.append(labels_of[candidates])
        new_rows.append(matrix[others])
        new_labels.append(labels_of[others])
    if not refs:
        return None
    known = ranking.fit_weights(np.vstack(known_rows), np.concatenate(known_labels))
    new = ranking.fit_weights(np.vstack(new_rows), np.concatenate(new_labels))
    if known is None or new is None:
        return None
    totals = [len(bought[ref]) for ref in refs]
    known = ranking.tune_for_recall(list(zip(known_rows, known_labels, totals, strict=True)), known)
    # Discovery keeps the logistic weights: its labels are few per buyer, and the search
    # over them lost recall on the tuning cut (0.1315 against 0.1338).
    return ranking.Weights(known=known, new=new, learned=True)
