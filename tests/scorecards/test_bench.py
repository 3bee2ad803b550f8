"""The scorecard bench runs on its seeded synthetic history and reports its figures."""

from __future__ import annotations

from bench import scorecards


def test_bench_figures_on_the_synthetic_history() -> None:
    out = scorecards.run(None, True, force_synthetic=True)
    assert out["scorecard_source"] == "synthetic"
    assert out["scorecard_record"]["suppliers"] == 10
    assert out["scorecard_record"]["delivered_lines"] > 500
    assert out["ranking_count"] == 13 and out["ranking_sensitivity_moves"] > 0
    assert 0 <= out["ranking_sensitivity_top1_stable_share"] <= 1
    assert -1 <= out["ranking_sensitivity_min_kendall_tau"] <= 1
    assert out["scorecard_seconds"] < 10
