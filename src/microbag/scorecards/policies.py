"""Supplier scorecards as pure rules: periods and their fading, the metrics of a
supplier's record, their 0..100 scores, the overall score and the standing with its
reason in plain words.

The service reads the record (purchase order lines, lots, inspections, confirmations,
certificates, capabilities, prices) and passes it here as plain facts; nothing here
touches the database. Two kinds of metric:

- record metrics, measured per period and faded: on-time delivery, in-full rate, defect
  rate, lead-time spread, responsiveness;
- state metrics, measured today: price competitiveness, customization capability, valid
  certifications.

Fading: every fact counts with its period's weight, ``0.5 ** (age / half_life)`` where
``age`` is the days from the period's last day to today (0 for the current period), so
a period's weight halves every ``half_life_days`` (settings.scorecard_half_life_days).
The faded metric pools the facts of all periods with those weights.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

PERIOD_KINDS = ("quarter", "month")
LEVELS = ("excellent", "good", "fair", "poor", "very_poor", "unrated")
# Lower bounds of the score bands (ERPNext's supplier scorecard standings, with "good"
# between its "average" and "excellent"): very_poor blocks new purchase orders, poor warns.
BANDS: tuple[tuple[str, float], ...] = (
    ("excellent", 85.0),
    ("good", 70.0),
    ("fair", 50.0),
    ("poor", 30.0),
    ("very_poor", 0.0),
)
# Fewer delivered lines than this over the periods looked at: unrated (too thin a record).
MIN_DELIVERED_LINES = 3

# How raw values map to 0..100 (docs/sourcing.md, "Scorecards and rankings").
DEFECT_RATE_AT_ZERO = 0.10  # 10 % defective units inspected scores 0, none scores 100
SPREAD_DAYS_AT_ZERO = 21.0  # a spread (std dev) of 3 weeks around the promise scores 0
RESPONSE_HOURS_FULL = 24.0  # confirmed within a day scores 100 ...
RESPONSE_HOURS_AT_ZERO = 168.0  # ... within a week or later scores 0
# Price: landed cost at the other suppliers' median scores 70 (a fair price is not a
# weakness), 20 % under it 100, 35 % over it 0.
PRICE_AT_PAR = 70.0
PRICE_SLOPE_UNDER = 150.0
PRICE_SLOPE_OVER = 200.0
# A metric scoring this or more is not named as what pulled a score down.
FINE_SCORE = 70.0
CERT_POINTS_PER_KIND = 35.0  # each kind of certificate valid today
CERT_POINTS_PER_LAPSED = 25.0  # each kind whose certificates have all expired
CUSTOMIZATION_POINTS = {"oem": 25.0, "odm": 25.0, "logo": 15.0, "packaging": 10.0}
BREADTH_POINTS = {"bag_types": 15.0, "materials": 10.0}  # full points from 5 kinds on
BREADTH_FULL = 5

METRICS = (
    "on_time",
    "in_full",
    "defect_rate",
    "lead_time_spread",
    "response_hours",
    "price",
    "customization",
    "certifications",
)
RECORD_METRICS = METRICS[:5]
METRIC_LABELS = {
    "on_time": "on-time",
    "in_full": "in-full",
    "defect_rate": "defects",
    "lead_time_spread": "lead-time spread",
    "response_hours": "time to confirm",
    "price": "price",
    "customization": "customization",
    "certifications": "certificates",
}
# The knowledge file's supplier criteria (supplier_criteria.*) and the scorecard metrics
# that measure each; a criterion's weight is shared equally by its metrics. Rankings add
# columns of their own (monthly capacity, the offer's lead time and MOQ): see ranking.py.
CRITERION_METRICS: Mapping[str, tuple[str, ...]] = {
    "quality_capacity": ("defect_rate", "in_full"),
    "moq_lead_times": ("on_time", "lead_time_spread"),
    "transparency": ("response_hours",),
    "customization": ("customization",),
    "compliance": ("certifications",),
    "price": ("price",),
}


# ---- periods ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    label: str  # 2026-Q4, 2026-11
    start: date
    end: date  # inclusive

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


def _period_of(day: date, kind: str) -> Period:
    if kind == "quarter":
        q = (day.month - 1) // 3
        start = date(day.year, 3 * q + 1, 1)
        label = f"{day.year}-Q{q + 1}"
        months = 3
    elif kind == "month":
        start = date(day.year, day.month, 1)
        label = f"{day.year}-{day.month:02d}"
        months = 1
    else:
        raise ValueError(f"unknown period kind {kind!r} (one of {', '.join(PERIOD_KINDS)})")
    m = start.month - 1 + months
    end = date(start.year + m // 12, m % 12 + 1, 1) - timedelta(days=1)
    return Period(label, start, end)


def periods_until(today: date, count: int, kind: str = "quarter") -> list[Period]:
    """The ``count`` periods up to the one holding ``today``, oldest first."""
    if count < 1:
        raise ValueError("count must be at least 1")
    out = [_period_of(today, kind)]
    while len(out) < count:
        out.append(_period_of(out[-1].start - timedelta(days=1), kind))
    return out[::-1]


def period_weight(period: Period, today: date, half_life_days: float) -> float:
    """Halves every ``half_life_days`` from the period's last day (1.0 for the current)."""
    age = max(0, (today - period.end).days)
    return float(0.5 ** (age / half_life_days))


def period_index(day: date, periods: Sequence[Period]) -> int | None:
    for i, p in enumerate(periods):
        if p.holds(day):
            return i
    return None


# ---- facts of the record ---------------------------------------------------------------


@dataclass(frozen=True)
class LineFact:
    """One purchase order line as the record has it.

    ``delivered_on``: the day its deliveries reached the ordered quantity, or (closed
    short) the day of its last delivery; None while units are still due. ``settled``:
    delivery is over and every lot is judged (none pending inspection or at rework), so
    ``accepted`` (units of accepted lots) is final."""

    ordered: int
    promised: date | None
    delivered_on: date | None
    accepted: int
    settled: bool

    def day(self, today: date) -> date | None:
        """The day the line counts on: delivered, else due and overdue, else none yet."""
        if self.delivered_on is not None:
            return self.delivered_on
        if self.promised is not None and self.promised < today:
            return self.promised
        return None


@dataclass(frozen=True)
class InspectionFact:
    inspected_on: date
    sample_size: int
    defective: int  # defective units found (at most the sample)


@dataclass(frozen=True)
class ConfirmationFact:
    sent_at: datetime
    confirmed_at: datetime | None  # None: not confirmed yet


@dataclass(frozen=True)
class Record:
    lines: tuple[LineFact, ...] = ()
    inspections: tuple[InspectionFact, ...] = ()
    confirmations: tuple[ConfirmationFact, ...] = ()


@dataclass(frozen=True)
class RecordMetrics:
    """Raw record metrics (shares 0..1, days, hours); None where nothing was measured."""

    delivered_lines: int
    on_time: float | None
    in_full: float | None
    defect_rate: float | None
    units_inspected: int
    lead_time_spread: float | None  # std dev of (delivered - promised) days
    response_hours: float | None
    lines_due: int = 0

    def raw(self) -> dict[str, float | None]:
        return {m: getattr(self, m) for m in RECORD_METRICS}


def _wmean(pairs: Sequence[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in pairs)
    if total <= 0:
        return None
    return sum(v * w for v, w in pairs) / total


def response_hours(fact: ConfirmationFact, now: datetime) -> float | None:
    """Hours to confirm; an unconfirmed order counts once it has waited past the scale."""
    if fact.confirmed_at is not None:
        return max(0.0, (fact.confirmed_at - fact.sent_at).total_seconds() / 3600)
    waited = (now - fact.sent_at).total_seconds() / 3600
    return waited if waited >= RESPONSE_HOURS_AT_ZERO else None


def record_metrics(
    record: Record,
    periods: Sequence[Period],
    weights: Sequence[float],
    today: date,
    now: datetime,
) -> RecordMetrics:
    """The record's metrics over ``periods``, each fact weighted by its period's weight
    (all 1.0: the plain figures of one period)."""
    on_time: list[tuple[float, float]] = []
    in_full: list[tuple[float, float]] = []
    deviations: list[tuple[float, float]] = []
    delivered = due = 0
    for line in record.lines:
        day = line.day(today)
        i = None if day is None else period_index(day, periods)
        if i is None:
            continue
        w = weights[i]
        if line.delivered_on is not None:
            delivered += 1
        if line.promised is not None:
            due += 1
            late = line.delivered_on is None or line.delivered_on > line.promised
            on_time.append((0.0 if late else 1.0, w))
            if line.delivered_on is not None:
                deviations.append((float((line.delivered_on - line.promised).days), w))
        if line.settled:
            in_full.append((1.0 if line.accepted >= line.ordered else 0.0, w))
    spread = None
    mean_dev = _wmean(deviations)
    if mean_dev is not None:
        spread = math.sqrt(_wmean([((d - mean_dev) ** 2, w) for d, w in deviations]) or 0.0)
    inspected = defective = 0.0
    units = 0
    for insp in record.inspections:
        i = period_index(insp.inspected_on, periods)
        if i is None or insp.sample_size <= 0:
            continue
        inspected += weights[i] * insp.sample_size
        defective += weights[i] * min(insp.defective, insp.sample_size)
        units += insp.sample_size
    hours: list[tuple[float, float]] = []
    for conf in record.confirmations:
        i = period_index(conf.sent_at.date(), periods)
        h = response_hours(conf, now)
        if i is not None and h is not None:
            hours.append((h, weights[i]))
    return RecordMetrics(
        delivered_lines=delivered,
        on_time=_wmean(on_time),
        in_full=_wmean(in_full),
        defect_rate=defective / inspected if inspected > 0 else None,
        units_inspected=units,
        lead_time_spread=spread,
        response_hours=_wmean(hours),
        lines_due=due,
    )


# ---- state metrics ---------------------------------------------------------------------


def customization_score(capabilities: Mapping[str, Any]) -> float:
    """OEM 25, ODM 25, logo 15, packaging 10, bag types up to 15, materials up to 10."""
    points = sum(p for key, p in CUSTOMIZATION_POINTS.items() if capabilities.get(key) is True)
    for key, p in BREADTH_POINTS.items():
        kinds = capabilities.get(key)
        n = len(kinds) if isinstance(kinds, list | tuple) else 0
        points += p * min(n, BREADTH_FULL) / BREADTH_FULL
    return round(points, 2)


@dataclass(frozen=True)
class CertificateFact:
    kind: str
    valid_until: date | None  # None: no expiry


def certificate_counts(certs: Iterable[CertificateFact], today: date) -> tuple[int, int]:
    """(kinds valid today, kinds whose certificates have all expired): a renewed
    certificate does not count against its supplier."""
    valid: set[str] = set()
    lapsed: set[str] = set()
    for c in certs:
        if c.valid_until is None or c.valid_until >= today:
            valid.add(c.kind)
        else:
            lapsed.add(c.kind)
    return len(valid), len(lapsed - valid)


def certificate_score(valid_kinds: int, lapsed_kinds: int) -> float:
    points = CERT_POINTS_PER_KIND * valid_kinds - CERT_POINTS_PER_LAPSED * lapsed_kinds
    return float(min(100.0, max(0.0, points)))


def certificate_words(valid_kinds: int, lapsed_kinds: int) -> str:
    if not valid_kinds and not lapsed_kinds:
        return "no certificate on record"
    parts = []
    if valid_kinds:
        parts.append(f"{valid_kinds} kind{'' if valid_kinds == 1 else 's'} of certificate valid")
    else:
        parts.append("no valid certificate")
    if lapsed_kinds:
        parts.append(f"{lapsed_kinds} expired and not renewed")
    return ", ".join(parts)


def customization_words(capabilities: Mapping[str, Any]) -> str:
    offered = [
        k.upper() if k in ("oem", "odm") else k
        for k in CUSTOMIZATION_POINTS
        if capabilities.get(k) is True
    ]
    if not offered:
        return "no OEM, ODM, logo or packaging work"
    missing = [
        k.upper() if k in ("oem", "odm") else k
        for k in CUSTOMIZATION_POINTS
        if capabilities.get(k) is not True
    ]
    return f"customization: {', '.join(offered)}" + (
        f" (no {', '.join(missing)})" if missing else ""
    )


def price_ratio(own: Sequence[int], others_median: Sequence[float]) -> float | None:
    """Mean of own landed cost / the median of the other suppliers' for the same SKU."""
    ratios = [o / m for o, m in zip(own, others_median, strict=True) if m > 0]
    return sum(ratios) / len(ratios) if ratios else None


# ---- scores ----------------------------------------------------------------------------


def _clamp(x: float) -> float:
    return min(100.0, max(0.0, x))


def metric_score(metric: str, value: float | None) -> float | None:
    """0..100 (higher is better) of a raw metric value; None stays None."""
    if value is None:
        return None
    if metric in ("on_time", "in_full"):
        return _clamp(100.0 * value)
    if metric == "defect_rate":
        return _clamp(100.0 * (1.0 - value / DEFECT_RATE_AT_ZERO))
    if metric == "lead_time_spread":
        return _clamp(100.0 * (1.0 - value / SPREAD_DAYS_AT_ZERO))
    if metric == "response_hours":
        span = RESPONSE_HOURS_AT_ZERO - RESPONSE_HOURS_FULL
        return _clamp(100.0 * (RESPONSE_HOURS_AT_ZERO - value) / span)
    if metric == "price":
        slope = PRICE_SLOPE_UNDER if value <= 1.0 else PRICE_SLOPE_OVER
        return _clamp(PRICE_AT_PAR + slope * (1.0 - value))
    if metric in ("customization", "certifications"):
        return _clamp(value)
    raise ValueError(f"unknown metric {metric!r}")


def metric_weights(criterion_weights: Mapping[str, float]) -> dict[str, float]:
    """Each metric's weight: its criterion's weight shared equally by the criterion's
    metrics (criteria the scorecard does not measure are left out), summing to 1."""
    raw: dict[str, float] = dict.fromkeys(METRICS, 0.0)
    for criterion, weight in criterion_weights.items():
        metrics = CRITERION_METRICS.get(criterion, ())
        for m in metrics:
            raw[m] += max(0.0, weight) / len(metrics)
    total = sum(raw.values())
    if total <= 0:
        return {m: 1.0 / len(METRICS) for m in METRICS}
    return {m: w / total for m, w in raw.items()}


def overall_score(scores: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """Weighted mean of the metric scores measured (weights renormalised over them)."""
    pairs = [(s, weights.get(m, 0.0)) for m, s in scores.items() if s is not None]
    value = _wmean(pairs)
    return None if value is None else round(value, 1)


def level_for(score: float) -> str:
    for level, low in BANDS:
        if score >= low:
            return level
    return "very_poor"


def describe(metric: str, value: float) -> str:
    """A metric's raw value in plain words."""
    if metric in ("on_time", "in_full"):
        return f"{METRIC_LABELS[metric]} {value * 100:.0f}%"
    if metric == "defect_rate":
        return f"defects {value * 100:.1f}% of units inspected"
    if metric == "lead_time_spread":
        return f"deliveries spread ±{value:.1f} days around the promise"
    if metric == "response_hours":
        return f"{value:.0f} h to confirm an order"
    if metric == "price":
        pct = (value - 1.0) * 100
        side = "above" if pct >= 0 else "below"
        return f"landed cost {abs(pct):.0f}% {side} other suppliers'"
    if metric == "customization":
        return f"customization {value:.0f}/100"
    if metric == "certifications":
        return f"certificates {value:.0f}/100"
    raise ValueError(f"unknown metric {metric!r}")


@dataclass(frozen=True)
class Verdict:
    level: str
    score: float | None
    reason: str


def _span(periods_with_record: int, delivered: int) -> str:
    word = "period" if periods_with_record == 1 else "periods"
    line = "line" if delivered == 1 else "lines"
    return f"over the last {periods_with_record} {word}, {delivered} delivered {line}"


def verdict(
    values: Mapping[str, float | None],
    weights: Mapping[str, float],
    *,
    delivered_lines: int,
    periods_with_record: int,
    notes: Mapping[str, str] | None = None,
) -> Verdict:
    """The standing from the faded metric values: the band of the overall score, and the
    reason naming the metrics that pulled it down most (weight x shortfall)."""
    if delivered_lines < MIN_DELIVERED_LINES:
        return Verdict(
            "unrated",
            None,
            f"too thin a record: {delivered_lines} delivered "
            f"line{'' if delivered_lines == 1 else 's'} (at least {MIN_DELIVERED_LINES} needed)",
        )
    scores = {m: metric_score(m, v) for m, v in values.items()}
    score = overall_score(scores, weights)
    if score is None:  # pragma: no cover - delivered lines always give on-time or in-full
        return Verdict("unrated", None, "nothing measured yet")
    level = level_for(score)
    shortfall = sorted(
        (
            (weights.get(m, 0.0) * (100.0 - s), m)
            for m, s in scores.items()
            if s is not None and s < 100.0 and weights.get(m, 0.0) > 0
        ),
        reverse=True,
    )
    span = _span(periods_with_record, delivered_lines)

    def words(metric: str) -> str:
        if notes and metric in notes:
            return notes[metric]
        return describe(metric, values[metric] or 0.0)

    if level in ("excellent", "good"):
        if not shortfall:
            return Verdict(level, score, f"score {score:.0f}, no weak spot {span}")
        weakest = shortfall[0][1]
        return Verdict(level, score, f"score {score:.0f}; weakest: {words(weakest)} {span}")
    weak = [m for _, m in shortfall if (scores[m] or 0.0) < FINE_SCORE]
    pulled = (weak or [m for _, m in shortfall])[:2]
    text = " and ".join(words(m) for m in pulled)
    return Verdict(level, score, f"score {score:.0f}: {text} pulled it down {span}")
