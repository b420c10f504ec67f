"""Split-conformal intervals: the quantile rule, coverage on exchangeable data, scales and horizons."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_core.intervals import (
    chance_range,
    conformal_interval,
    conformal_quantile,
    coverage,
    horizon_interval,
    recent_error_scale,
)


def test_conformal_quantile_takes_the_ceil_n_plus_one_rank():
    scores = np.arange(1.0, 20.0)  # 19 scores
    assert conformal_quantile(scores, 0.8) == (16.0, True)  # ceil(20 * 0.8) = 16th smallest
    assert conformal_quantile(scores, 0.95) == (19.0, True)  # ceil(20 * 0.95) = 19: just enough
    q, exact = conformal_quantile(scores[:10], 0.95)
    assert (q, exact) == (10.0, False)  # too few for 95 %: the largest, flagged
    with pytest.raises(ValueError, match="level must be in"):
        conformal_quantile(scores, 1.0)
    with pytest.raises(ValueError, match="at least one finite"):
        conformal_quantile(np.array([np.nan]), 0.8)


@pytest.mark.parametrize("level", [0.8, 0.95])
def test_coverage_on_exchangeable_residuals_is_near_nominal(level):
    rng = np.random.default_rng(0)
    cal_actual, test_actual = rng.standard_t(4, 2000), rng.standard_t(4, 20000)
    interval = conformal_interval(cal_actual, np.zeros(2000), np.zeros(20000), level)
    assert interval.exact and interval.calibration == 2000
    assert abs(interval.coverage(test_actual) - level) < 0.02


def test_a_scale_follows_the_volatility_and_keeps_coverage_where_it_changes():
    rng = np.random.default_rng(1)
    cal_scale, test_scale = np.full(1000, 1.0), np.r_[np.full(1000, 0.2), np.full(1000, 5.0)]
    cal = rng.normal(size=1000) * cal_scale
    test = rng.normal(size=2000) * test_scale
    plain = conformal_interval(cal, np.zeros(1000), np.zeros(2000), 0.8)
    scaled = conformal_interval(cal, np.zeros(1000), np.zeros(2000), 0.8, cal_scale, test_scale)
    calm, wild = slice(0, 1000), slice(1000, None)
    assert coverage(test[wild], plain.lower[wild], plain.upper[wild]) < 0.3  # escapes a fixed width
    for half in (calm, wild):
        assert abs(coverage(test[half], scaled.lower[half], scaled.upper[half]) - 0.8) < 0.05
    with pytest.raises(ValueError, match="both cal_scale and scale"):
        conformal_interval(cal, np.zeros(1000), np.zeros(2), 0.8, cal_scale)


def test_horizon_intervals_widen_with_the_horizon():
    rng = np.random.default_rng(2)
    steps = rng.normal(size=(500, 5)).cumsum(axis=1)  # random-walk errors grow like sqrt(h)
    interval = horizon_interval(steps, np.zeros((500, 5)), np.zeros((3, 5)), 0.8)
    width = interval.upper[0] - interval.lower[0]
    assert np.all(np.diff(width) > 0) and width[-1] / width[0] == pytest.approx(np.sqrt(5), rel=0.2)
    nan_tail = steps.copy()
    nan_tail[-2:, 3:] = np.nan  # truths past the end are unknown
    assert horizon_interval(nan_tail, np.zeros((500, 5)), np.zeros((1, 5)), 0.95).exact
    with pytest.raises(ValueError, match="shapes differ"):
        horizon_interval(steps, np.zeros((500, 4)), np.zeros((1, 5)), 0.8)


def test_coverage_ignores_unknown_truths():
    assert coverage(np.array([1.0, 5.0, np.nan]), np.zeros(3), np.full(3, 2.0)) == 0.5
    assert np.isnan(coverage(np.array([np.nan]), np.zeros(1), np.ones(1)))


def test_recent_error_scale_is_causal_and_follows_the_error_size():
    actual = np.r_[np.zeros(20), np.full(20, 4.0)]
    predicted = np.zeros(40)  # errors 0 for 20 steps, then 4
    scale = recent_error_scale(actual, predicted, window=5)
    assert 0 < scale[20] < 4.0  # forecast 20 sees only zero errors: floored, never 0
    assert scale[20] == scale[19]
    np.testing.assert_allclose(scale[25:], 4.0)  # five errors of 4 before it
    changed = actual.copy()
    changed[30:] = 100.0
    np.testing.assert_allclose(recent_error_scale(changed, predicted, 5)[:31], scale[:31])


@pytest.mark.parametrize(("level", "n"), [(0.8, 24), (0.95, 51), (0.8, 500)])
def test_chance_range_is_the_central_binomial_range(level: float, n: int):
    low, high = chance_range(level, n)
    pmf = [math.comb(n, k) * level**k * (1 - level) ** (n - k) for k in range(n + 1)]
    below, above = sum(pmf[: round(low * n)]), sum(pmf[round(high * n) + 1:])
    assert below <= 0.025 and above <= 0.025  # each tail outside the range holds at most 2.5 %
    assert below + pmf[round(low * n)] > 0.025 and above + pmf[round(high * n)] > 0.025  # and is the smallest
    assert low < level < high


def test_chance_range_narrows_with_more_test_values_and_refuses_nonsense():
    assert chance_range(0.8, 24) == (0.625, 23 / 24)
    assert chance_range(0.8, 2500)[1] - chance_range(0.8, 2500)[0] < 0.04
    for bad in ((1.0, 10), (0.8, 0), (0.0, 5)):
        with pytest.raises(ValueError):
            chance_range(*bad)
