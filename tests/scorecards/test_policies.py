"""Scorecard rules without a database: periods and fading, metrics from plain facts,
scores, standings bands and reasons; TOPSIS on small known matrices and its sensitivity."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from microbag.scorecards import policies, topsis
from microbag.scorecards.policies import (
    ConfirmationFact,
    InspectionFact,
    LineFact,
    Record,
    periods_until,
)

TODAY = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def test_quarters_and_months_up_to_today() -> None:
    qs = periods_until(TODAY, 4)
    assert [p.label for p in qs] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert qs[0].start == date(2026, 1, 1) and qs[-1].end == date(2026, 12, 31)
    ms = periods_until(date(2026, 1, 15), 2, "month")
    assert [(p.label, p.start, p.end) for p in ms] == [
        ("2025-12", date(2025, 12, 1), date(2025, 12, 31)),
        ("2026-01", date(2026, 1, 1), date(2026, 1, 31)),
    ]
    with pytest.raises(ValueError):
        periods_until(TODAY, 1, "week")


def test_a_period_weight_halves_every_half_life() -> None:
    q3, q4 = periods_until(TODAY, 2)
    assert policies.period_weight(q4, TODAY, 180) == 1.0  # the current period
    assert policies.period_weight(q3, TODAY, 66) == pytest.approx(0.5)  # ended 66 days ago
    assert policies.period_weight(q3, TODAY, 33) == pytest.approx(0.25)


def test_record_metrics_from_known_facts() -> None:
    q4 = periods_until(TODAY, 1)
    record = Record(
        lines=(
            LineFact(100, date(2026, 11, 1), date(2026, 10, 30), 100, True),  # early, in full
            LineFact(50, date(2026, 11, 1), date(2026, 11, 5), 0, True),  # late, returned
            LineFact(10, date(2026, 11, 20), None, 0, False),  # overdue, nothing came: late
            LineFact(10, date(2026, 12, 20), None, 0, False),  # not due yet: not counted
        ),
        inspections=(InspectionFact(date(2026, 10, 31), 32, 2), InspectionFact(TODAY, 13, 20)),
        confirmations=(
            ConfirmationFact(
                datetime(2026, 10, 1, 9, tzinfo=UTC), datetime(2026, 10, 2, 9, tzinfo=UTC)
            ),
            ConfirmationFact(datetime(2026, 12, 4, 9, tzinfo=UTC), None),  # waiting 27 h: not yet
        ),
    )
    m = policies.record_metrics(record, q4, [1.0], TODAY, NOW)
    assert m.delivered_lines == 2 and m.lines_due == 3
    assert m.on_time == pytest.approx(1 / 3)
    assert m.in_full == pytest.approx(1 / 2)
    assert m.defect_rate == pytest.approx((2 + 13) / 45)  # defective capped at the sample
    assert m.lead_time_spread == pytest.approx(3.0)  # std dev of -2 and +4 days
    assert m.response_hours == pytest.approx(24.0)


def test_an_order_never_confirmed_counts_once_it_waited_past_the_scale() -> None:
    sent = datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert policies.response_hours(ConfirmationFact(sent, None), NOW) == pytest.approx(363)
    assert policies.metric_score("response_hours", 363) == 0


def test_scores_of_raw_values() -> None:
    assert policies.metric_score("on_time", 0.41) == pytest.approx(41)
    assert policies.metric_score("defect_rate", 0.025) == pytest.approx(75)
    assert policies.metric_score("defect_rate", 0.2) == 0
    assert policies.metric_score("lead_time_spread", 0.0) == 100
    assert policies.metric_score("response_hours", 24) == 100
    assert policies.metric_score("response_hours", 96) == pytest.approx(50)
    assert policies.metric_score("price", 1.0) == 70  # at the others' median
    assert policies.metric_score("price", 0.8) == pytest.approx(100)
    assert policies.metric_score("price", 1.2) == pytest.approx(30)
    assert policies.metric_score("price", 1.35) == pytest.approx(0)
    assert policies.metric_score("on_time", None) is None


def test_customization_and_certificates() -> None:
    full = {
        "oem": True,
        "odm": True,
        "logo": True,
        "packaging": True,
        "bag_types": ["a", "b", "c", "d", "e", "f"],
        "materials": ["x", "y", "z", "w", "v"],
    }
    assert policies.customization_score(full) == 100
    assert policies.customization_score({"oem": True, "bag_types": ["a"]}) == 28
    assert policies.customization_score({}) == 0
    certs = [
        policies.CertificateFact("bsci", date(2027, 1, 1)),
        policies.CertificateFact("bsci", date(2025, 1, 1)),  # renewed: not against
        policies.CertificateFact("iso9001", date(2026, 1, 1)),  # lapsed
        policies.CertificateFact("lwg", None),
    ]
    assert policies.certificate_counts(certs, TODAY) == (2, 1)
    assert policies.certificate_score(2, 1) == 45
    assert policies.certificate_score(0, 2) == 0
    assert policies.certificate_score(4, 0) == 100


def test_metric_weights_share_each_criterion() -> None:
    w = policies.metric_weights({"quality_capacity": 1.0, "transparency": 1.0, "unknown": 3.0})
    assert w["defect_rate"] == pytest.approx(0.25) and w["in_full"] == pytest.approx(0.25)
    assert w["response_hours"] == pytest.approx(0.5)
    assert w["on_time"] == 0 and math.isclose(sum(w.values()), 1.0)


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (100, "excellent"),
        (85, "excellent"),
        (84.9, "good"),
        (70, "good"),
        (69, "fair"),
        (50, "fair"),
        (49, "poor"),
        (30, "poor"),
        (29.9, "very_poor"),
        (0, "very_poor"),
    ],
)
def test_standings_bands(score: float, level: str) -> None:
    assert policies.level_for(score) == level


def test_verdicts_name_what_pulled_the_score_down() -> None:
    weights = policies.metric_weights({"moq_lead_times": 1.0, "quality_capacity": 1.0})
    bad = {"on_time": 0.41, "in_full": 0.9, "defect_rate": 0.08, "lead_time_spread": 2.0}
    v = policies.verdict(bad, weights, delivered_lines=12, periods_with_record=2)
    # Scores 41, 90, 20 and 90.5 (spread 2 of 21 days), a quarter of the weight each.
    assert v.level == "fair" and v.score == pytest.approx(60.4)
    assert v.reason.startswith("score 60: defects 8.0% of units inspected and on-time 41%")
    assert v.reason.endswith("over the last 2 periods, 12 delivered lines")
    good = {"on_time": 1.0, "in_full": 1.0, "defect_rate": 0.0, "lead_time_spread": 0.0}
    assert policies.verdict(good, weights, delivered_lines=3, periods_with_record=1).reason == (
        "score 100, no weak spot over the last 1 period, 3 delivered lines"
    )
    # Only metrics below 70 are named as pulling the score down.
    # In-full 72 % costs more weighted points than on-time 0 % here, but 72 is fine.
    weights = policies.metric_weights({"quality_capacity": 1.0, "moq_lead_times": 0.2})
    mixed = {"on_time": 0.0, "in_full": 0.72, "defect_rate": 0.05, "lead_time_spread": 0.0}
    v = policies.verdict(mixed, weights, delivered_lines=5, periods_with_record=1)
    assert v.level == "fair"
    assert v.reason.startswith("score 59: defects 5.0% of units inspected and on-time 0%")
    thin = policies.verdict(good, weights, delivered_lines=2, periods_with_record=1)
    assert thin.level == "unrated" and thin.score is None and "2 delivered lines" in thin.reason


# ---- TOPSIS ------------------------------------------------------------------------------

CRITERIA = {"quality_capacity": 1.0, "moq_lead_times": 1.0}


def test_topsis_on_a_known_matrix_without_the_dominance_warning() -> None:
    # On-time (benefit) 1, 2, 3 and defects (cost) 3, 2, 1: min-max normalised both are
    # 0, .5, 1; equal weights; the ideal is row 3, the anti-ideal row 1: closeness 0, .5, 1.
    values = [
        {"on_time": 1.0, "defect_rate": 3.0},
        {"on_time": 2.0, "defect_rate": 2.0},
        {"on_time": 3.0, "defect_rate": 1.0},
    ]
    matrix, ranked = topsis.rank(values, CRITERIA)  # pymcdm's UserWarning would fail here
    assert matrix.columns == ("on_time", "defect_rate")
    assert matrix.weights == pytest.approx((0.5, 0.5))
    assert [(r.index, r.rank) for r in ranked] == [(2, 1), (1, 2), (0, 3)]
    assert [r.score for r in ranked] == pytest.approx([1.0, 0.5, 0.0])


def test_topsis_by_hand_on_a_trade_off() -> None:
    # Two columns, weights .6 / .4 (criteria 1.5 : 1); row A best on-time, row B best
    # defects; minmax: A = (1, 0), B = (0, 1), C = (.5, .5).
    values = [
        {"on_time": 0.9, "defect_rate": 0.06},
        {"on_time": 0.5, "defect_rate": 0.02},
        {"on_time": 0.7, "defect_rate": 0.04},
    ]
    _, ranked = topsis.rank(values, {"moq_lead_times": 1.5, "quality_capacity": 1.0})
    scores = {r.index: r.score for r in ranked}
    assert scores[0] == pytest.approx(0.6 / (0.6 + 0.4))
    assert scores[1] == pytest.approx(0.4 / (0.6 + 0.4))
    assert scores[2] == pytest.approx(0.5)


def test_missing_values_take_the_median_and_flat_columns_are_left_out() -> None:
    values = [
        {"on_time": 0.9, "defect_rate": None, "customization": 50.0},
        {"on_time": 0.5, "defect_rate": 0.02, "customization": 50.0},
        {"on_time": 0.7, "defect_rate": 0.04, "customization": 50.0},
    ]
    matrix = topsis.build_matrix(values, {**CRITERIA, "customization": 1.0})
    assert matrix.columns == ("on_time", "defect_rate")  # customization: all equal
    assert matrix.rows[0] == (0.9, pytest.approx(0.03))
    assert topsis.topsis_scores(topsis.build_matrix(values[:1], CRITERIA)) == [1.0]


def test_kendall_tau() -> None:
    assert topsis.kendall_tau([1, 2, 3], [1, 2, 3]) == 1
    assert topsis.kendall_tau([1, 2, 3], [3, 2, 1]) == -1
    assert topsis.kendall_tau([1, 2, 3, 4], [2, 1, 3, 4]) == pytest.approx(4 / 6)


def test_sensitivity_finds_a_fragile_top() -> None:
    # A wins on on-time, B on defects; A's closeness is w_m / (w_m + w_q) = 1.05 / 2.05.
    values = [{"on_time": 1.0, "defect_rate": 0.1}, {"on_time": 0.0, "defect_rate": 0.0}]
    criteria = {"moq_lead_times": 1.05, "quality_capacity": 1.0}
    _, ranked = topsis.rank(values, criteria)
    assert ranked[0].index == 0 and ranked[0].score == pytest.approx(1.05 / 2.05)
    moves = topsis.sensitivity(values, criteria)
    by = {(m.criterion, m.change): m for m in moves}
    assert set(by) == {
        ("moq_lead_times", 0.1),
        ("moq_lead_times", -0.1),
        ("quality_capacity", 0.1),
        ("quality_capacity", -0.1),
    }
    assert by[("quality_capacity", 0.1)].top_changes  # 1.05 vs 1.1
    assert by[("moq_lead_times", -0.1)].top_changes  # 0.945 vs 1
    assert not by[("quality_capacity", -0.1)].top_changes
    assert not by[("moq_lead_times", 0.1)].top_changes
    assert by[("quality_capacity", 0.1)].kendall_tau == -1
    assert topsis.stability(moves) == (0.5, -1.0)


def test_a_clear_ranking_is_stable() -> None:
    values = [
        {"on_time": 0.95, "defect_rate": 0.01, "response_hours": 20.0},
        {"on_time": 0.6, "defect_rate": 0.05, "response_hours": 90.0},
        {"on_time": 0.7, "defect_rate": 0.03, "response_hours": 50.0},
    ]
    moves = topsis.sensitivity(values, {**CRITERIA, "transparency": 1.0})
    assert len(moves) == 6 and topsis.stability(moves) == (1.0, 1.0)
