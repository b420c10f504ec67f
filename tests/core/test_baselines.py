"""Baselines: exact values on small series, alignment with ForecastData windows, the ridge AR, horizons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstm_core.baselines import (
    fit_baselines,
    horizon_actuals,
    multi_step_forecasts,
    one_step_predictions,
    rmse_by_horizon,
)
from lstm_core.config import ForecastDataConfig
from lstm_core.forecasting import prepare_forecast_data
from lstm_core.linear_ar import ar_forecast, fit_linear_ar, lagged_changes


def test_one_step_baselines_by_hand():
    y = np.array([1.0, 2.0, 4.0, 3.0, 5.0, 6.0])
    out = one_step_predictions(y, seq_len=2, season=2, ar=None)
    assert list(out) == ["naive", "seasonal naive", "drift"]  # no AR given
    np.testing.assert_allclose(out["naive"], [2, 4, 3, 5])  # rows 2..5 from the row before
    np.testing.assert_allclose(out["seasonal naive"], [1, 2, 4, 3])  # two rows back
    # drift: last + (last - first) / (t - 1)
    np.testing.assert_allclose(out["drift"], [2 + 1 / 1, 4 + 3 / 2, 3 + 2 / 3, 5 + 4 / 4])
    assert "seasonal naive" not in one_step_predictions(y, 2, None, None)


def test_baselines_line_up_with_forecast_windows():
    index = pd.date_range("2000-01-01", periods=120, freq="MS")
    y = 10 + np.sin(np.arange(120) * 2 * np.pi / 12) + np.arange(120) * 0.05
    frame = pd.DataFrame({"Value": y}, index=index)
    data = prepare_forecast_data(frame, ForecastDataConfig(target="Value", seq_len=12))
    n_train = data.parts["train"].stop + 12
    base = fit_baselines(y, 12, n_train, data.windows["val"], season=12)
    for pred in base.predictions.values():
        assert pred.shape == data.actual.shape
    np.testing.assert_allclose(base.predictions["naive"], data.naive)
    # a pure seasonal series plus a linear trend: seasonal naive is off by 12 steps of trend only
    np.testing.assert_allclose(base.predictions["seasonal naive"][12:] - data.actual[12:], -0.6, atol=1e-9)


def test_linear_ar_recovers_an_ar2_process_on_changes_and_beats_naive():
    rng = np.random.default_rng(0)
    d = np.zeros(3000)
    for t in range(2, len(d)):
        d[t] = 0.6 * d[t - 1] - 0.3 * d[t - 2] + rng.normal()
    y = 100 + np.cumsum(d)
    ar = fit_linear_ar(y, n_train=2000, lags=5, n_val=500)
    assert ar.lags == 2 and ar.level_coef == 0.0  # the rolling-origin errors pick the true order
    # coefficients on standardised changes, oldest first
    np.testing.assert_allclose(ar.coef, [-0.3, 0.6], atol=0.06)
    assert ar.evidence > 5 and ar.cv_rows == 1500  # second half of training + validation
    out = one_step_predictions(y, 6, None, ar)
    test = slice(2500 - 6, None)
    actual = y[6:][test]
    rmse = {k: np.sqrt(np.mean((v[test] - actual) ** 2)) for k, v in out.items()}
    assert rmse["linear AR"] < 0.9 * rmse["naive"]


def test_linear_ar_reads_the_level_of_a_mean_reverting_series_and_finds_nothing_in_a_random_walk():
    rng = np.random.default_rng(3)
    y = np.zeros(1500)
    for t in range(1, len(y)):
        y[t] = 0.8 * y[t - 1] + rng.normal()  # AR(1) in levels: changes pull back to 0
    ar = fit_linear_ar(y, 1000, 10, 200)
    assert ar.level_coef < -0.1 and ar.evidence > 3
    walk = np.cumsum(rng.normal(size=1500))
    assert fit_linear_ar(walk, 1000, 10, 200).evidence < 2.5  # no reliable gain over naive


def test_linear_ar_uses_the_training_rows_only():
    rng = np.random.default_rng(1)
    y = np.cumsum(rng.normal(size=400))
    changed = y.copy()
    changed[300:] += rng.normal(size=100) * 50  # wild values after the training part
    a, b = fit_linear_ar(y, 300, 5), fit_linear_ar(changed, 300, 5)
    np.testing.assert_allclose(a.coef, b.coef)
    assert a.center == b.center and a.scale == b.scale


def test_short_training_parts_get_fewer_lags_and_tiny_ones_are_refused():
    y = np.cumsum(np.random.default_rng(2).normal(size=40))
    assert fit_linear_ar(y, 20, 29).lags <= 2  # at least 3 rows per coefficient in the first refit
    short = fit_linear_ar(y, 12, 29)  # too short for rolling-origin checks: 3 lags, no evidence
    assert (short.lags, short.alpha, short.evidence) == (3, 0.1, 0.0)
    with pytest.raises(ValueError, match="at least 8 training rows"):
        fit_linear_ar(y, 5, 3)
    with pytest.raises(ValueError, match="at least 3 finite values"):
        one_step_predictions(np.array([1.0, np.nan, 2.0]), 1, None, None)


def test_multi_step_forecasts_by_hand_and_their_errors_by_horizon():
    y = np.array([1.0, 2.0, 3.0, 5.0, 4.0, 6.0, 7.0])
    out = multi_step_forecasts(y, np.array([3, 4]), horizon=3, season=2, ar=None)
    np.testing.assert_allclose(out["naive"], [[5, 5, 5], [4, 4, 4]])
    np.testing.assert_allclose(out["seasonal naive"], [[3, 5, 3], [5, 4, 5]])
    np.testing.assert_allclose(out["drift"], [[5 + 4 / 3, 5 + 8 / 3, 5 + 4], [4 + 0.75, 4 + 1.5, 4 + 2.25]])
    actual = horizon_actuals(y, np.array([3, 4]), 3)
    np.testing.assert_allclose(actual, [[4, 6, 7], [6, 7, np.nan]])
    np.testing.assert_allclose(rmse_by_horizon(actual, out["naive"]),
                               [np.sqrt((1 + 4) / 2), np.sqrt((1 + 9) / 2), 2.0])


def test_ar_forecast_feeds_its_own_changes_back():
    y = np.arange(50, dtype=float) * 2.0  # a constant change of 2
    ar = fit_linear_ar(y, 40, 3)
    assert ar.scale == 1.0  # no variation in the changes: scale 1 keeps it finite
    np.testing.assert_allclose(ar_forecast(y, np.array([45]), 4, ar), [[92, 94, 96, 98]])
    np.testing.assert_allclose(lagged_changes(y, np.array([10]), 3), [[2, 2, 2]])
    with pytest.raises(ValueError, match=f"each origin needs {ar.lags} rows"):
        ar_forecast(y, np.array([ar.lags - 1]), 2, ar)


def test_lag_sets_add_the_changes_one_and_two_seasons_back():
    from lstm_core.linear_ar import _lag_sets

    plain = _lag_sets(29, None)
    assert plain[0] == (1,) and plain[-1] == tuple(range(1, 30)) and len(plain) == 8
    seasonal = _lag_sets(29, 12)
    assert (1, 2, 11, 12, 13, 23, 24, 25) in seasonal and set(plain) < set(seasonal)
    assert _lag_sets(10, 12) == _lag_sets(10, None)  # a season longer than the window adds nothing


def test_a_seasonal_series_is_forecast_far_better_than_naive_by_the_linear_ar():
    rng = np.random.default_rng(4)
    pattern = np.tile(10 * np.sin(2 * np.pi * np.arange(12) / 12), 30)
    y = pattern + np.cumsum(rng.normal(0, 0.3, 360))
    base = fit_baselines(y, 30, 250, 36, season=12)
    test = slice(286 - 30, None)
    actual = y[30:][test]
    rmse = {k: np.sqrt(np.mean((v[test] - actual) ** 2)) for k, v in base.predictions.items()}
    assert rmse["linear AR"] < 0.2 * rmse["naive"] and rmse["linear AR"] < rmse["seasonal naive"]
    assert base.ar.evidence > 5
