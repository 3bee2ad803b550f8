"""Pure trend rules over one weekly series: growth, Mann-Kendall, change points, label.

Input is a series of weekly values (oldest first, no gaps, zeros where nothing sold).
``assess`` returns an ``Evidence`` object that holds every number the label rests on,
so a person can check why something is called rising.

- Growth: the sum of the last ``window_weeks`` against the ``window_weeks`` before.
- Mann-Kendall (pymannkendall ``original_test``) over the last ``lookback_weeks``:
  a monotonic trend without assuming a straight line, with Sen's slope.
- Change points: ruptures' penalised detection (PELT with the least-squares cost, via
  ``KernelCPD(kernel="linear")``) over the whole series, scaled by a robust noise
  estimate so one penalty suits big and small sellers alike.
- Label: ``rising`` when recent growth is at least ``min_growth_pct`` AND either the
  Mann-Kendall test says increasing at ``alpha`` or the latest change point (inside the
  lookback) stepped the level up by ``step_min_pct``; ``fading`` mirrors it; anything
  else is ``steady``. Requiring both the growth and a test keeps one lucky week from
  labelling a trend.
- Label reason: the label in a word's justification, for the board, where the label
  sits next to the growth column and can seem to contradict it (``steady`` at +91%).
  ``rising`` / ``fading`` say what carried them (``sustained trend``: the Mann-Kendall
  test; ``step change``: a recent change point). A ``steady`` label next to a growth of
  ``min_growth_pct`` or more says why it is not a trend: ``one spike`` (with the biggest
  week of the larger window replaced by a typical week of that window, the growth falls
  under the threshold), ``against the trend`` (the test says the opposite direction) or
  ``not significant`` (neither test backs it). A ``steady`` label next to a small growth
  needs no reason (None).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np

LABELS = ("rising", "steady", "fading")

# Label reasons (see the module docstring), shown on the board next to the label.
REASON_SUSTAINED = "sustained trend"
REASON_STEP = "step change"
REASON_SPIKE = "one spike"
REASON_AGAINST = "against the trend"
REASON_NOT_SIGNIFICANT = "not significant"
REASON_NO_RECENT = "no recent sales"
# A week is "one spike" when replacing it removes at least this share of the change.
SPIKE_SHARE = 0.75
LABEL_REASONS = (
    REASON_SUSTAINED,
    REASON_STEP,
    REASON_SPIKE,
    REASON_AGAINST,
    REASON_NOT_SIGNIFICANT,
    REASON_NO_RECENT,
)


@dataclass(frozen=True)
class TrendParams:
    window_weeks: int = 8
    lookback_weeks: int = 26
    alpha: float = 0.05
    min_growth_pct: float = 10.0
    # Series with less than this total over the lookback are not labelled at all.
    min_total: float = 10.0
    # PELT penalty in units of the (robust) noise variance, times log(n). At 5, on 200
    # simulated flat 40-week Poisson series 1% showed a false change, while 99% of
    # 20 -> 35 steps were found within two weeks (tests/trends/test_policies.py).
    change_penalty: float = 5.0
    change_min_size: int = 3
    step_min_pct: float = 25.0

    def __post_init__(self) -> None:
        if not 1 <= self.window_weeks <= 52:
            raise ValueError("window_weeks must be 1..52")
        if self.lookback_weeks < 2 * self.window_weeks:
            object.__setattr__(self, "lookback_weeks", 2 * self.window_weeks)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MannKendall:
    test: str
    trend: str  # increasing | decreasing | no trend
    p: float
    tau: float
    z: float
    s: float
    # Sen's slope: median change per week, in the series' units.
    slope: float
    weeks: int


@dataclass(frozen=True)
class ChangePoint:
    index: int  # first index of the new segment
    week: str | None  # ISO date of that week's Monday, when weeks are known
    before_mean: float
    after_mean: float
    change_pct: float | None


@dataclass
class Evidence:
    label: str
    window_weeks: int
    recent_total: float
    previous_total: float
    growth_pct: float | None
    recent_from: str | None
    previous_from: str | None
    mann_kendall: MannKendall | None
    change_points: list[ChangePoint]
    reasons: list[str] = field(default_factory=list)
    weeks: int = 0
    lookback_weeks: int = 0
    # One of LABEL_REASONS, or None when the label and the growth agree on their own.
    label_reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Spike:
    """The one week that carries a window comparison (see ``one_spike``)."""

    index: int
    value: float
    typical: float  # median of the other weeks of its window
    growth_without: float  # growth % with the typical week in its place


@dataclass(frozen=True)
class LabelReason:
    reason: str | None
    # A sentence for the evidence page (None when the other reasons already say it).
    detail: str | None = None


def growth(values: list[float], window: int) -> tuple[float, float, float | None]:
    """(recent total, previous total, growth %) over two adjacent windows."""
    recent = float(sum(values[-window:]))
    previous = float(sum(values[-2 * window : -window])) if len(values) > window else 0.0
    if previous <= 0:
        return recent, previous, None
    return recent, previous, round((recent - previous) / previous * 100.0, 2)


def mann_kendall(values: list[float], alpha: float = 0.05) -> MannKendall | None:
    """Mann-Kendall test for a monotonic trend (None for fewer than 4 points or flat data)."""
    if len(values) < 4 or len(set(values)) < 2:
        return None
    import pymannkendall

    result = pymannkendall.original_test(np.asarray(values, dtype=float), alpha=alpha)
    return MannKendall(
        test="mann_kendall_original",
        trend=str(result.trend),
        p=_finite(result.p, 1.0),
        tau=_finite(result.Tau, 0.0),
        z=_finite(result.z, 0.0),
        s=_finite(result.s, 0.0),
        slope=_finite(result.slope, 0.0),
        weeks=len(values),
    )


def _finite(value: Any, default: float) -> float:
    number = float(value)
    return round(number, 6) if math.isfinite(number) else default


def noise_scale(values: list[float]) -> float:
    """Robust noise level: MAD of the week-to-week differences, as a standard deviation."""
    if len(values) < 3:
        return 1.0
    diffs = np.diff(np.asarray(values, dtype=float))
    mad = float(np.median(np.abs(diffs - np.median(diffs))))
    sigma = mad / (0.6745 * math.sqrt(2.0))
    if sigma <= 0:
        sigma = float(np.std(diffs)) / math.sqrt(2.0)
    return sigma if sigma > 0 else 1.0


def change_points(values: list[float], *, penalty: float = 5.0, min_size: int = 3) -> list[int]:
    """Indices where a new level starts (PELT, least squares on the noise-scaled series)."""
    n = len(values)
    if n < 2 * min_size or len(set(values)) < 2:
        return []
    import ruptures

    signal = (np.asarray(values, dtype=float) / noise_scale(values)).reshape(-1, 1)
    # KernelCPD with the linear kernel is PELT with the least-squares cost, in C (the
    # pure-Python ruptures.Pelt(model="l2") gives the same breaks ~500x slower).
    algo = ruptures.KernelCPD(kernel="linear", min_size=min_size, jump=1).fit(signal)
    ends = algo.predict(pen=penalty * math.log(n))
    return [int(i) for i in ends if 0 < i < n]


def describe_change_points(
    values: list[float], indices: list[int], weeks: list[date] | None = None
) -> list[ChangePoint]:
    bounds = [0, *indices, len(values)]
    out = []
    for k, index in enumerate(indices):
        before = values[bounds[k] : index]
        after = values[index : bounds[k + 2]]
        before_mean = float(np.mean(before)) if before else 0.0
        after_mean = float(np.mean(after)) if after else 0.0
        pct = (after_mean - before_mean) / before_mean * 100.0 if before_mean > 0 else None
        out.append(
            ChangePoint(
                index=index,
                week=weeks[index].isoformat() if weeks else None,
                before_mean=round(before_mean, 3),
                after_mean=round(after_mean, 3),
                change_pct=None if pct is None else round(pct, 2),
            )
        )
    return out


def label_for(
    growth_pct: float | None,
    recent_total: float,
    previous_total: float,
    mk: MannKendall | None,
    recent_step: ChangePoint | None,
    params: TrendParams,
    spike: Spike | None = None,
) -> tuple[str, list[str]]:
    """The label and the reasons for it (pure; see the module docstring).

    ``spike``: the one week that carries the growth (``one_spike``), if any. A change
    point then only marks that week, not a new level, so it backs no label.
    """
    reasons: list[str] = []
    w = params.window_weeks
    if growth_pct is None:
        if recent_total > 0 and previous_total <= 0:
            reasons.append(f"nothing in the {w} weeks before, {recent_total:g} in the last {w}")
            return "rising", reasons
        reasons.append(f"no units in the last {2 * w} weeks")
        return "steady", reasons
    reasons.append(
        f"last {w} weeks {recent_total:g} vs {previous_total:g} the {w} before ({growth_pct:+.1f}%)"
    )
    mk_up = mk is not None and mk.trend == "increasing" and mk.p < params.alpha
    mk_down = mk is not None and mk.trend == "decreasing" and mk.p < params.alpha
    if mk is not None:
        reasons.append(
            f"Mann-Kendall over {mk.weeks} weeks: {mk.trend} (p={mk.p:.3g}, tau={mk.tau:+.2f}, "
            f"Sen's slope {mk.slope:+.3g}/week)"
        )
    step_pct = recent_step.change_pct if recent_step is not None else None
    step_up = spike is None and step_pct is not None and step_pct >= params.step_min_pct
    step_down = spike is None and step_pct is not None and step_pct <= -params.step_min_pct
    if recent_step is not None:
        reasons.append(
            f"level changed in week {recent_step.week or recent_step.index}: "
            f"{recent_step.before_mean:g} -> {recent_step.after_mean:g} per week"
        )
    # A step only counts when the test does not say the opposite.
    if growth_pct >= params.min_growth_pct and (mk_up or (step_up and not mk_down)):
        return "rising", reasons
    if growth_pct <= -params.min_growth_pct and (mk_down or (step_down and not mk_up)):
        return "fading", reasons
    if abs(growth_pct) >= params.min_growth_pct and spike is None:
        reasons.append(f"growth alone is not a trend: no test backs it at alpha={params.alpha}")
    return "steady", reasons


def one_spike(
    values: list[float], window: int, min_growth_pct: float, share: float = SPIKE_SHARE
) -> Spike | None:
    """The one week that carries a window comparison's change, if one does.

    The larger window (the recent one for a rise, the previous one for a fall) has its
    biggest week replaced by the median of its other weeks. That week is the spike when
    the change then falls under ``min_growth_pct`` (in size) or loses at least ``share``
    of itself: +150% that would be +12% with a typical week is one week's doing.
    """
    recent, previous, pct = growth(values, window)
    if pct is None or abs(pct) < min_growth_pct or len(values) < 2 * window or window < 2:
        return None
    start = len(values) - window if pct > 0 else len(values) - 2 * window
    block = values[start : start + window]
    top = max(range(window), key=lambda i: block[i])
    typical = float(np.median([v for i, v in enumerate(block) if i != top]))
    if pct > 0:
        recent = recent - block[top] + typical
    else:
        previous = previous - block[top] + typical
    if previous <= 0:
        return None
    without = (recent - previous) / previous * 100.0
    same_way = (without > 0) == (pct > 0)
    if same_way and abs(without) >= min_growth_pct and abs(without) > (1 - share) * abs(pct):
        return None
    return Spike(start + top, float(block[top]), typical, round(without, 2))


def label_reason(
    label: str,
    growth_pct: float | None,
    recent_total: float,
    mk: MannKendall | None,
    spike: Spike | None = None,
    weeks: list[date] | None = None,
    params: TrendParams | None = None,
) -> LabelReason:
    """Why the label, in a word, where the growth column alone may suggest otherwise.

    Pure: the label (``label_for``), its inputs and ``one_spike``'s result decide.
    """
    p = params or TrendParams()
    if growth_pct is None:
        return LabelReason(REASON_NO_RECENT if label == "steady" and recent_total <= 0 else None)
    significant = mk is not None and mk.p < p.alpha
    if label in ("rising", "fading"):
        wanted = "increasing" if label == "rising" else "decreasing"
        sustained = significant and mk is not None and mk.trend == wanted
        return LabelReason(REASON_SUSTAINED if sustained else REASON_STEP)
    if abs(growth_pct) < p.min_growth_pct:
        return LabelReason(None)
    if spike is not None:
        week = weeks[spike.index].isoformat() if weeks else f"#{spike.index + 1}"
        return LabelReason(
            REASON_SPIKE,
            f"one week carries the change: the week of {week} had {spike.value:g} against "
            f"a typical {spike.typical:g}; with a typical week instead the change would be "
            f"{spike.growth_without:+.1f}%",
        )
    opposite = "decreasing" if growth_pct > 0 else "increasing"
    if significant and mk is not None and mk.trend == opposite:
        return LabelReason(
            REASON_AGAINST,
            f"the last {p.window_weeks} weeks go against the {mk.weeks}-week trend ({mk.trend})",
        )
    return LabelReason(REASON_NOT_SIGNIFICANT)


def assess(
    values: list[float], weeks: list[date] | None = None, params: TrendParams | None = None
) -> Evidence | None:
    """Evidence and label for one weekly series; None when there is too little to judge."""
    p = params or TrendParams()
    if weeks is not None and len(weeks) != len(values):
        raise ValueError("weeks and values differ in length")
    values = [float(v) for v in values]
    lookback = values[-p.lookback_weeks :]
    if len(values) < 2 * p.window_weeks or sum(lookback) < p.min_total:
        return None
    recent, previous, pct = growth(values, p.window_weeks)
    mk = mann_kendall(lookback, p.alpha)
    points = describe_change_points(
        values,
        change_points(values, penalty=p.change_penalty, min_size=p.change_min_size),
        weeks,
    )
    first_recent = len(values) - p.lookback_weeks
    recent_steps = [c for c in points if c.index >= first_recent]
    spike = one_spike(values, p.window_weeks, p.min_growth_pct)
    label, reasons = label_for(
        pct, recent, previous, mk, recent_steps[-1] if recent_steps else None, p, spike
    )
    why = label_reason(label, pct, recent, mk, spike, weeks, p)
    if why.detail:
        reasons.append(why.detail)
    n = len(values)
    return Evidence(
        label=label,
        window_weeks=p.window_weeks,
        recent_total=recent,
        previous_total=previous,
        growth_pct=pct,
        recent_from=weeks[n - p.window_weeks].isoformat() if weeks else None,
        previous_from=weeks[n - 2 * p.window_weeks].isoformat() if weeks else None,
        mann_kendall=mk,
        change_points=points,
        reasons=reasons,
        weeks=n,
        lookback_weeks=len(lookback),
        label_reason=why.reason,
    )
