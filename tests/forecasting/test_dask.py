"""The Dask engine runs the same computation as the local one, on a local cluster."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
from typer.testing import CliRunner

from microbag.cli import app
from microbag.forecasting.engine import forecast_series
from microbag.forecasting.policies import Series

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as c:
        yield c


def test_same_choices_and_numbers_as_local(cluster) -> None:
    rng = np.random.default_rng(11)
    series = [
        Series(f"s{i}", date(2024, 1, 1), rng.poisson(5 + i, 40).astype(float)) for i in range(70)
    ]  # two chunks
    local = forecast_series(series, 4, fast=True)
    remote = forecast_series(
        series, 4, engine="dask", dask_address=cluster.scheduler_address, fast=True
    )
    assert [r.unique_id for r in remote] == [r.unique_id for r in local]
    for a, b in zip(local, remote, strict=True):
        assert a.choice.model == b.choice.model
        np.testing.assert_allclose(a.prediction.mean, b.prediction.mean)
        np.testing.assert_allclose(a.prediction.hi, b.prediction.hi)


def test_pooled_model_is_fitted_once_and_the_same_on_dask(cluster, monkeypatch) -> None:
    from microbag.forecasting import pooled

    monkeypatch.setattr(pooled, "MIN_SERIES", 20)
    monkeypatch.setattr(pooled, "MAX_ROWS", 4000)
    monkeypatch.setattr(pooled, "TREES", pooled.TREES | {"max_iter": 10})
    rng = np.random.default_rng(12)
    series = [
        Series(
            f"s{i}",
            date(2024, 1, 1),
            rng.poisson((3 + i % 9) * 1.08 ** np.arange(30)).astype(float),
        )
        for i in range(70)
    ]
    local = forecast_series(series, 4, fast=True)
    remote = forecast_series(
        series, 4, engine="dask", dask_address=cluster.scheduler_address, fast=True
    )
    fitted = pooled.fit_predict(series, 4)
    name = "Pooled+RollingMedian"
    for a, b, s in zip(local, remote, series, strict=True):
        assert a.choice.model == b.choice.model
        np.testing.assert_allclose(a.prediction.mean, b.prediction.mean)
        assert a.scores[name][4].abs_error == b.scores[name][4].abs_error
        if a.choice.model == name:  # the average of the driver's fit and the median
            median = np.median(s.y[-6:])
            expected = (fitted[(s.unique_id, s.week(30))][:4] + median) / 2
            np.testing.assert_allclose(a.prediction.mean, expected)
    assert any(a.choice.model == name for a in local)


def test_cli_engine_dask(cli_db, history, cluster) -> None:
    result = CliRunner().invoke(
        app,
        [
            "forecast",
            "run",
            "--horizon",
            "2",
            "--engine",
            "dask",
            "--dask-address",
            cluster.scheduler_address,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert run["engine"] == "dask" and run["series"] > 3 and run["first_week"] == "2024-07-29"
