"""The residual forecaster and its judgement: exact starts, alignment, fallbacks, horizons, intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from lstm_core.baselines import fit_baselines
from lstm_core.config import ForecastDataConfig, ModelConfig, TrainConfig
from lstm_core.forecast_inputs import fit_input_spec, window_inputs
from lstm_core.forecast_judge import judge
from lstm_core.forecast_model import ResidualForecaster, trusts_ar
from lstm_core.forecasting import forecast_future, prepare_forecast_data, train_forecaster
from lstm_core.frequency import detect_frequency
from lstm_core.linear_ar import LinearAR, fit_linear_ar
from lstm_core.models import build_model

SMALL = ModelConfig(cell="LSTM", hidden_size=8, num_layers=1)
QUICK = TrainConfig(epochs=8, batch_size=32, lr=3e-3, patience=3, seed=0)


def seasonal_monthly(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """A monthly series with a yearly season, a trend and autocorrelated noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    noise = np.zeros(n)
    for i in range(1, n):
        noise[i] = 0.7 * noise[i - 1] + rng.normal(0, 0.5)
    values = 50 + 0.05 * t + 5 * np.sin(2 * np.pi * t / 12) + noise
    return pd.DataFrame({"Value": values}, index=pd.date_range("2000-01-01", periods=n, freq="MS"))


def random_walk(n: int, seed: int = 0) -> pd.DataFrame:
    values = 100 + np.cumsum(np.random.default_rng(seed).normal(size=n))
    return pd.DataFrame({"Close": values}, index=pd.bdate_range("2020-01-01", periods=n))


def _parts(frame: pd.DataFrame, cfg: ForecastDataConfig):
    data = prepare_forecast_data(frame, cfg)
    values = data.series.to_numpy(dtype=np.float64)
    n_train = data.parts["train"].stop + cfg.seq_len
    freq = detect_frequency(frame.index)
    return data, values, n_train, freq


@pytest.mark.parametrize("use_ar", [True, False])
def test_an_untrained_model_is_exactly_its_start(use_ar: bool) -> None:
    cfg = ForecastDataConfig(target="Value", seq_len=24)
    data, values, n_train, freq = _parts(seasonal_monthly(), cfg)
    base = fit_baselines(values, 24, n_train, data.windows["val"], freq.season)
    spec = fit_input_spec(values, n_train, 24, freq)
    net = build_model(SMALL, input_size=spec.input_size, output_size=1, seq_len=24)
    model = ResidualForecaster(net, spec, base.ar if use_ar else None)
    assert not model.learned
    rows = np.arange(24, len(values))
    pred = model.predict_rows(values, data.series.index, rows)
    expected = base.predictions["linear AR"] if use_ar else base.predictions["naive"]
    np.testing.assert_allclose(pred, expected, rtol=1e-5, atol=1e-4)
    # one step of the recursive forecast is the one-step prediction
    origins = np.array([100, 150])
    np.testing.assert_allclose(model.forecast(values, data.series.index, origins, 3)[:, 0],
                               pred[origins + 1 - 24], rtol=1e-6)


def test_window_inputs_read_only_the_past_and_the_target_calendar() -> None:
    frame = seasonal_monthly(60)
    values = frame["Value"].to_numpy()
    freq = detect_frequency(frame.index)
    spec = fit_input_spec(values, 40, 12, freq)
    x = window_inputs(values, frame.index, np.array([30]), spec)
    assert x.shape == (1, 12, 2 + 2)  # change, level, month sin/cos
    np.testing.assert_allclose(x[0, -1, 0], (values[29] - values[28] - spec.center) / spec.scale, rtol=1e-5)
    changed = values.copy()
    changed[30:] = 1e6  # the target row and later never enter the window
    torch.testing.assert_close(window_inputs(changed, frame.index, np.array([30]), spec), x)
    month = (frame.index[30].month - 1) / 12 * 2 * np.pi  # the last step carries the target's month
    np.testing.assert_allclose(x[0, -1, 2:].numpy(), [np.sin(month), np.cos(month)], atol=1e-6)


def test_residual_method_on_a_seasonal_series_beats_naive_and_is_judged_against_every_baseline() -> None:
    frame = seasonal_monthly()
    result = train_forecaster(frame, ForecastDataConfig(target="Value", seq_len=24), SMALL, QUICK,
                              method="residual")
    assert result.method == "residual" and result.frequency.kind == "monthly"
    assert result.notes[0].startswith("Starts from the linear autoregression")
    j = result.judgement
    assert set(j.comparison.index) == {"model", "naive", "seasonal naive", "drift", "linear AR"}
    assert j.comparison.loc["model", "test RMSE"] < 0.8 * j.comparison.loc["naive", "test RMSE"]
    assert "next month = this month" in result.verdict
    assert "best baseline" in result.comparison_verdict
    assert list(j.horizon.index) == list(range(1, 13)) and "model" in j.horizon.columns
    assert j.horizon["naive"].iloc[0] == pytest.approx(j.comparison.loc["naive", "test RMSE"])
    assert j.covered_values == result.data.windows["test"]
    words = j.coverage_in_words()
    assert len(words) == 2 and words[0].startswith("80% interval: covers") and "19 times in 20" in words[0]
    for level in (0.8, 0.95):
        assert 0.6 <= j.coverage[level] <= 1.0
        iv = j.intervals[level]
        assert np.all(iv.lower <= result.predicted) and np.all(result.predicted <= iv.upper)
    future = result.future(6)
    assert list(future.index) == list(pd.date_range("2020-01-01", periods=6, freq="MS"))
    order = ["lower 95%", "lower 80%", "forecast", "upper 80%", "upper 95%"]
    assert (future[order].diff(axis=1).iloc[:, 1:] >= 0).all().all()  # nested intervals around it
    again = forecast_future(result.model, result.data, 6)
    np.testing.assert_allclose(again.to_numpy(), future["forecast"].to_numpy())


def test_a_short_random_walk_falls_back_to_naive_and_says_why() -> None:
    result = train_forecaster(random_walk(120), ForecastDataConfig(seq_len=30), SMALL, QUICK,
                              method="residual")
    assert not result.history.epochs  # the validation part (12 windows) is too short to train on
    assert any("too few to tell a real gain from luck" in n for n in result.notes)
    np.testing.assert_allclose(result.predicted, result.data.naive, rtol=1e-6)
    assert result.report.loc["RMSE", "model / naive"] == pytest.approx(1.0, abs=1e-4)
    assert "tomorrow = today" in result.verdict


def test_a_long_random_walk_stays_at_naive() -> None:
    result = train_forecaster(random_walk(800, seed=1), ForecastDataConfig(seq_len=20), SMALL, QUICK,
                              method="residual")
    assert result.notes[0].startswith("Starts from the naive forecast")
    assert result.report.loc["RMSE", "model / naive"] <= 1.0 + 1e-4


def test_residual_method_refuses_features_and_unknown_methods() -> None:
    frame = random_walk(200)
    frame["Volume"] = 1.0 + np.arange(200)
    with pytest.raises(ValueError, match="reads the target only"):
        train_forecaster(frame, ForecastDataConfig(features=("Volume",)), SMALL, QUICK, method="residual")
    with pytest.raises(ValueError, match="method must be one of direct, residual"):
        train_forecaster(frame, ForecastDataConfig(), SMALL, QUICK, method="magic")  # type: ignore[arg-type]


def test_direct_method_gets_baselines_and_a_horizon_table_too() -> None:
    result = train_forecaster(seasonal_monthly(160), ForecastDataConfig(target="Value", seq_len=12), SMALL,
                              TrainConfig(epochs=2, seed=0))
    assert result.method == "direct"
    assert "model" in result.judgement.horizon.columns and len(result.judgement.horizon) == 12
    assert result.judgement.best_baseline in result.judgement.comparison.index


def test_a_residual_run_file_rebuilds_the_same_forecaster() -> None:
    import io

    from lstm_core.persistence import RunFileError, load_run, save_run
    from lstm_core.run_records import forecast_record

    frame = seasonal_monthly()
    result = train_forecaster(frame, ForecastDataConfig(target="Value", seq_len=24), SMALL, QUICK,
                              method="residual")
    buffer = io.BytesIO()
    save_run(forecast_record(result), buffer)
    record = load_run(buffer.getvalue())
    assert record.recipe is not None and record.recipe["lags"] == result.model.lags
    model = record.build_model()
    assert isinstance(model, ResidualForecaster) and model.spec == result.model.spec
    values, dates = result.data.series.to_numpy(), pd.DatetimeIndex(result.data.series.index)
    rows = np.arange(24, len(values))
    np.testing.assert_allclose(model.predict_rows(values, dates, rows),
                               result.model.predict_rows(values, dates, rows), rtol=1e-6)
    with pytest.raises(ValueError, match="not that of a residual forecaster"):
        ResidualForecaster.from_recipe(model.net, {"kind": "residual", "lags": -1, "spec": {}})
    crafted = dict(record.recipe, spec=dict(record.recipe["spec"], scale=-1.0))
    with pytest.raises(RunFileError, match="scales must be positive"):
        type(record)(**{**record.__dict__, "recipe": crafted}).build_model()


def test_a_residual_run_that_starts_at_naive_saves_too() -> None:
    """No linear part (an empty coefficient vector) and 0-d buffers: the digest must read them."""
    import io

    from lstm_core.persistence import load_run, save_run
    from lstm_core.run_records import forecast_record

    result = train_forecaster(random_walk(300), ForecastDataConfig(seq_len=10), SMALL, QUICK,
                              method="residual")
    assert result.model.lags == 0 and result.model.ar_intercept.dim() == 0
    buffer = io.BytesIO()
    save_run(forecast_record(result), buffer)
    model = load_run(buffer.getvalue()).build_model()
    values, dates = result.data.series.to_numpy(), pd.DatetimeIndex(result.data.series.index)
    rows = np.arange(10, len(values))
    np.testing.assert_allclose(model.predict_rows(values, dates, rows),
                               result.model.predict_rows(values, dates, rows))


def _ar(evidence: float, skill: float) -> LinearAR:
    return LinearAR(1, np.zeros(1), 0.0, 0.0, 1.0, 0.1, evidence=evidence, cv_rows=50, skill=skill)


@pytest.mark.parametrize(("evidence", "skill", "trusted"), [
    (2.6, 0.01, True),  # strong evidence: a small but sure gain
    (1.8, 0.34, True),  # weaker evidence of a large gain (quarterly unemployment's first 60 %)
    (2.1, 0.13, False),  # a random walk's best fluke on the bundled prices: small gain, t under 2.5
    (1.4, 0.60, False),  # a large gain but too uncertain
])
def test_trusts_ar_needs_a_sure_gain_or_a_large_fairly_sure_one(evidence: float, skill: float,
                                                                 trusted: bool) -> None:
    assert trusts_ar(_ar(evidence, skill)) is trusted


def test_the_ar_skill_is_the_share_of_naive_squared_error_removed() -> None:
    rng = np.random.default_rng(3)
    changes = np.zeros(600)
    for i in range(1, 600):
        changes[i] = 0.8 * changes[i - 1] + rng.normal()
    ar = fit_linear_ar(np.cumsum(changes), 400, 5, 100)
    # with phi = 0.8, naive's error is the change (variance 1 / (1 - 0.64)); the AR's is the shock (1)
    assert ar.skill == pytest.approx(1 - 0.36, abs=0.1) and trusts_ar(ar)
    walk = fit_linear_ar(np.cumsum(rng.normal(size=600)), 400, 5, 100)
    assert walk.skill < 0.05 and not trusts_ar(walk)


def test_a_model_that_is_its_baseline_up_to_float32_is_not_told_the_baseline_beats_it() -> None:
    data = prepare_forecast_data(seasonal_monthly(), ForecastDataConfig(target="Value", seq_len=24))
    values = data.series.to_numpy(dtype=np.float64)
    base = fit_baselines(values, 24, data.parts["train"].stop + 24, data.windows["val"], 12)
    best = base.predictions["linear AR"]
    same = judge(values, 24, data.parts, best * (1 + 3e-7), base, None, 6)  # a switched-off network
    assert same.selected == "model" and not any("beats the model" in n for n in same.notes)
    worse = judge(values, 24, data.parts, best + 0.5, base, None, 6)
    assert worse.selected == worse.best_baseline and any("beats the model" in n for n in worse.notes)
