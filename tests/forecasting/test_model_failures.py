"""A model that raises is logged with its name and the series, never dropped in silence."""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import pytest

from microbag.forecasting.policies import RollingMedian, Series, StatsModel, backtest


class _Broken:
    """A statsforecast-like model whose forecast always raises."""

    def forecast(self, y, h, level=None):
        raise ValueError("singular matrix")


class _BrokenModel:
    name = "Exploder"

    def forecast(self, series, h):
        raise RuntimeError("boom")


def _series(uid: str = "SKU-42|europe") -> Series:
    rng = np.random.default_rng(1)
    return Series(uid, date(2024, 1, 1), rng.poisson(5, 40).astype(float))


def test_a_failing_stats_model_is_logged_with_model_and_series(caplog):
    caplog.set_level(logging.WARNING, logger="microbag.forecasting")
    pred = StatsModel(_Broken(), "BrokenETS").forecast(_series(), 4)
    # The fallback still answers (the mean of the last weeks) ...
    assert len(pred.mean) == 4 and np.all(np.isfinite(pred.mean))
    # ... but the failure is on record, naming the model, the series and the cause.
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings, "the model's failure was swallowed silently"
    message = warnings[0].getMessage()
    assert "BrokenETS" in message
    assert "SKU-42|europe" in message
    assert "singular matrix" in message


def test_backtest_logs_a_raising_model_and_scores_the_others(caplog):
    caplog.set_level(logging.WARNING, logger="microbag.forecasting")
    scores = backtest(_series("S-7"), [_BrokenModel(), RollingMedian()])
    assert "Exploder" not in scores
    assert "RollingMedian" in scores
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("Exploder" in m and "S-7" in m and "boom" in m for m in messages)


def test_a_model_that_works_logs_nothing(caplog):
    caplog.set_level(logging.WARNING, logger="microbag.forecasting")
    backtest(_series(), [RollingMedian()])
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("uid", ["A", "B|us"])
def test_evaluate_chunk_survives_a_model_that_raises(monkeypatch, caplog, uid):
    from microbag.forecasting import engine

    real = engine.microbag_models
    monkeypatch.setattr(engine, "microbag_models", lambda *a, **k: [*real(True), _BrokenModel()])
    caplog.set_level(logging.WARNING, logger="microbag.forecasting")
    [evaluated] = engine.evaluate_chunk([_series(uid)], 4, fast=True)
    assert "Exploder" not in evaluated.predictions
    assert "RollingMedian" in evaluated.predictions
    assert any("Exploder" in r.getMessage() and uid in r.getMessage() for r in caplog.records)
