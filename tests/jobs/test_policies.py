"""Pure rules of the queue: backoff, tries, progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from microbag.jobs import policies


def test_backoff_doubles_from_the_base_up_to_the_cap():
    assert [policies.retry_delay(a, base_s=10, cap_s=100) for a in (1, 2, 3, 4, 5)] == [
        10,
        20,
        40,
        80,
        100,
    ]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert policies.next_run_after(now, 2, base_s=15) == now + timedelta(seconds=30)
    with pytest.raises(ValueError):
        policies.retry_delay(0)


def test_tries_and_kinds():
    assert policies.may_retry(1, 3) and policies.may_retry(2, 3)
    assert not policies.may_retry(3, 3)
    assert policies.check_kind("forecast_run") == "forecast_run"
    for bad in ("", "Forecast", "a b", "x" * 41, "../etc"):
        with pytest.raises(ValueError):
            policies.check_kind(bad)
    assert policies.kind_name("trends_run") == "Trends run"


def test_progress_percent():
    assert policies.ProgressView(5, 20, "x").percent == 25
    assert policies.ProgressView(None, None, "x").percent is None
    assert policies.ProgressView(3, 0, "x").percent is None
    assert policies.ProgressView(30, 20, "x").percent == 100
