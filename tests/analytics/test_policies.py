"""Pure dashboard rules: periods, month buckets, days of cover."""

from __future__ import annotations

from datetime import date

import pytest

from microbag.analytics import policies


def test_month_arithmetic_across_years():
    assert policies.add_months(date(2026, 1, 31), -1) == date(2025, 12, 1)
    assert policies.add_months(date(2026, 11, 5), 2) == date(2027, 1, 1)
    assert policies.period_start(date(2026, 3, 15), 12) == date(2025, 4, 1)
    assert policies.period_start(date(2026, 3, 15), 1) == date(2026, 3, 1)
    keys = policies.month_keys(date(2026, 2, 28), 3)
    assert [k for k, _ in keys] == ["2025-12", "2026-01", "2026-02"]
    assert keys[0][1] == date(2025, 12, 1)
    assert policies.month_key(date(2026, 9, 30)) == "2026-09"


@pytest.mark.parametrize("months", [0, 5, 13, -1, None])
def test_unknown_periods_fall_back_to_the_default(months):
    assert policies.clamp_period(months) == policies.DEFAULT_PERIOD


@pytest.mark.parametrize(
    ("available", "sold", "days", "low"),
    [
        (0, 90, 0, True),
        (29, 90, 29, True),
        (30, 90, 30, False),  # exactly a month of cover is not low
        (100, 0, None, False),  # nothing sold: no pace to measure
        (-5, 10, 0, True),
    ],
)
def test_cover(available, sold, days, low):
    cover = policies.Cover(available, sold)
    assert cover.days == days
    assert cover.is_low is low
