"""Forecasting pipeline: no leakage, alignment, exact inversion, future dates, a model that learns."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
import torch

from lstm_core.config import ForecastDataConfig, ModelConfig, TrainConfig
from lstm_core.forecast_data import PARTS
from lstm_core.forecasting import (
    build_forecaster,
    forecast_future,
    forecast_report,
    predict_values,
    prepare_forecast_data,
    train_forecaster,
)
from lstm_core.preprocessing import split_sizes
from lstm_core.progress import Callback, EpochProgress
from lstm_core.training import seed_everything

CELLS = ["RNN", "LSTM", "GRU"]
TINY_MODEL = ModelConfig(cell="GRU", hidden_size=8, num_layers=1)




def prices(n: int = 120, freq: str = "B", features: bool = False) -> pd.DataFrame:
    """A sine-shaped price on a calendar (business days by default), with a slow trend."""
    idx = pd.date_range("2021-01-04", periods=n, freq=freq)
    t = np.arange(n, dtype=np.float64)
    frame = pd.DataFrame({"Close": 100 + 10 * np.sin(t * 0.3) + 0.05 * t}, index=idx)
    if features:
        frame["Volume"] = 1000 + 50 * np.cos(t * 0.2)
    return frame


def data_cfg(**kw: object) -> ForecastDataConfig:
    return ForecastDataConfig(**{"seq_len": 5, "val_fraction": 0.1, "test_fraction": 0.2, **kw})


def tiny_train(**kw: object) -> TrainConfig:
    return TrainConfig(**{"epochs": 2, "batch_size": 32, "lr": 1e-2, "device": "cpu", **kw})


# --- preparation: leakage and alignment ---------------------------------------------------------


@pytest.mark.parametrize("scaler", ["standard", "minmax"])
def test_scaler_is_fitted_on_training_rows_only(scaler: str) -> None:
    frame = prices(features=True)
    cfg = data_cfg(features=("Volume",), scaler=scaler)
    n_train, _, _ = split_sizes(len(frame), cfg.val_fraction, cfg.test_fraction)
    before = prepare_forecast_data(frame, cfg).scaler

    changed = frame.copy()
    changed.iloc[n_train:, :] *= 50  # every validation and test value, far outside the training range
    after = prepare_forecast_data(changed, cfg).scaler
    np.testing.assert_array_equal(before.shift, after.shift)
    np.testing.assert_array_equal(before.scale, after.scale)

    changed.iloc[n_train - 1, 0] += 100  # a training value does move it
    moved = prepare_forecast_data(changed, cfg).scaler
    assert not np.array_equal(moved.to_dict()["scale"], before.to_dict()["scale"])


@pytest.mark.parametrize("mode", ["next", "change"])
def test_parts_are_contiguous_chronological_and_hold_their_targets(mode: str) -> None:
    frame = prices(101)
    cfg = data_cfg(target_mode=mode, seq_len=7)
    data = prepare_forecast_data(frame, cfg)
    n = len(frame)
    n_train, n_val, n_test = split_sizes(n, cfg.val_fraction, cfg.test_fraction)

    assert tuple(data.parts) == PARTS
    train, val, test = (data.parts[p] for p in PARTS)
    assert train.start == 0 and train.stop == val.start and val.stop == test.start
    assert test.stop == len(data.x) == n - cfg.seq_len
    assert (train.stop - train.start, val.stop - val.start, test.stop - test.start) == (
        n_train - cfg.seq_len, n_val, n_test,
    )
    assert data.dates.is_monotonic_increasing

    bounds = {"train": (0, n_train), "val": (n_train, n_train + n_val), "test": (n_train + n_val, n)}
    for part, (lo, hi) in bounds.items():
        dates = data.dates[data.parts[part]]
        assert dates.min() >= frame.index[lo] and dates.max() <= frame.index[hi - 1], part
    assert data.boundaries == {"val": frame.index[n_train], "test": frame.index[n_train + n_val]}


def test_window_contents_target_and_last_value_line_up() -> None:
    frame = prices(60)
    data = prepare_forecast_data(frame, data_cfg(target_mode="next"))
    close = frame["Close"].to_numpy()
    k = 17
    np.testing.assert_allclose(data.scaler.inverse_column(data.x[k, :, 0].double().numpy()),
                               close[k : k + 5], rtol=1e-5)
    assert data.actual[k] == close[k + 5] and data.naive[k] == close[k + 4]
    assert data.dates[k] == frame.index[k + 5]
    assert data.x.dtype == torch.float32 and data.y.shape == (len(data.x), 1)
    pd.testing.assert_series_equal(data.series, frame["Close"])


@pytest.mark.parametrize("mode", ["next", "change"])
@pytest.mark.parametrize("scaler", ["standard", "minmax"])
def test_to_values_inverts_the_true_targets_exactly(mode: str, scaler: str) -> None:
    data = prepare_forecast_data(prices(features=True), data_cfg(target_mode=mode, scaler=scaler,
                                                                  features=("Volume",)))
    np.testing.assert_allclose(data.to_values(data.y.numpy()), data.actual, rtol=1e-5)
    test = data.parts["test"]
    np.testing.assert_allclose(data.to_values(data.y[test].numpy(), test), data.actual[test], rtol=1e-5)


def test_change_mode_targets_are_differences() -> None:
    data = prepare_forecast_data(prices(), data_cfg(target_mode="change"))
    expected = data.scaler.transform_column(data.actual) - data.scaler.transform_column(data.naive)
    np.testing.assert_allclose(data.y[:, 0].numpy(), expected, atol=1e-5)


def test_naive_baseline_report_equals_itself() -> None:
    data = prepare_forecast_data(prices(), data_cfg())
    report, skill = forecast_report(data, data.naive)
    for name in ("RMSE", "MAE", "MAPE %"):
        assert report.loc[name, "model / naive"] == pytest.approx(1.0)
    assert skill == pytest.approx(0.0)
    with pytest.raises(ValueError, match="the val part has no windows"):
        forecast_report(prepare_forecast_data(prices(), data_cfg(val_fraction=0.0)), data.naive, "val")


# --- bad input ----------------------------------------------------------------------------------


def test_seq_len_too_long_for_the_training_rows_says_what_works() -> None:
    with pytest.raises(ValueError, match=r"seq_len 30 is not shorter .*use seq_len <= 27 or a longer series"):
        prepare_forecast_data(prices(40), data_cfg(seq_len=30))


def test_no_test_rows_says_what_works() -> None:
    with pytest.raises(ValueError, match="leaves no test rows; raise test_fraction or use a longer series"):
        prepare_forecast_data(prices(2), data_cfg(seq_len=1, test_fraction=0.2))


def test_missing_column_and_missing_values() -> None:
    with pytest.raises(ValueError, match=r"column\(s\) \['Open'\] not in the data; available: \['Close'\]"):
        prepare_forecast_data(prices(), data_cfg(features=("Open",)))
    frame = prices()
    frame.iloc[3, 0] = np.nan
    with pytest.raises(ValueError, match=r"column\(s\) \['Close'\] have missing values"):
        prepare_forecast_data(frame, data_cfg())


@pytest.mark.parametrize("row", [3, -2])  # a training row and a test row
def test_infinite_values_are_refused_rather_than_trained_on(row: int) -> None:
    # A CSV cell "inf" parses as a float: training on it gives NaN losses and a misleading
    # "lower the learning rate" message, and in the test part an infinite RMSE.
    frame = prices(features=True)
    frame.iloc[row, 1] = np.inf
    with pytest.raises(ValueError, match=r"column\(s\) \['Volume'\] have infinite values"):
        prepare_forecast_data(frame, data_cfg(features=("Volume",)))


# --- forecast_future ----------------------------------------------------------------------------


def _model_for(data_cfg_: ForecastDataConfig) -> torch.nn.Module:
    seed_everything(0)
    return build_forecaster(TINY_MODEL, data_cfg_)


@pytest.mark.parametrize("mode", ["next", "change"])
def test_forecast_future_continues_business_days(mode: str) -> None:
    cfg = data_cfg(target_mode=mode)
    frame = prices(50)  # ends on a business day; weekends never appear
    data = prepare_forecast_data(frame, cfg)
    future = forecast_future(_model_for(cfg), data, 7)
    assert len(future) == 7 and future.name == "Close forecast"
    assert np.isfinite(future.to_numpy()).all()
    assert future.index[0] > frame.index[-1]
    assert list(future.index) == list(pd.bdate_range(frame.index[-1] + pd.offsets.BDay(1), periods=7))
    assert (future.index.day_of_week < 5).all()


def test_forecast_future_on_a_daily_calendar_keeps_weekends() -> None:
    frame = prices(50, freq="D")
    data = prepare_forecast_data(frame, data_cfg())
    future = forecast_future(_model_for(data_cfg()), data, 4)
    assert list(future.index) == list(pd.date_range(frame.index[-1] + pd.Timedelta(days=1), periods=4))


@pytest.mark.parametrize(("freq", "expected"), [
    ("MS", ["2031-01-01", "2031-02-01", "2031-03-01"]),  # monthly bars (interval "1mo")
    ("W-MON", ["2031-01-06", "2031-01-13", "2031-01-20"]),  # weekly bars (interval "1wk")
])
def test_forecast_future_keeps_a_regular_calendar(freq: str, expected: list[str]) -> None:
    frame = prices(40, freq=freq)
    frame.index = pd.date_range(end="2030-12-31", periods=40, freq=freq)
    data = prepare_forecast_data(frame, data_cfg())
    future = forecast_future(_model_for(data_cfg()), data, 3)
    assert list(future.index) == list(pd.DatetimeIndex(expected))


def test_forecast_future_one_step_equals_the_model_prediction_on_the_last_window() -> None:
    cfg = data_cfg(target_mode="change")
    frame = prices(50)
    data = prepare_forecast_data(frame, cfg)
    model = _model_for(cfg)
    last_window = data.scaler.transform_column(frame["Close"].to_numpy()[-5:])
    with torch.no_grad():
        step = float(model.eval()(torch.tensor(last_window, dtype=torch.float32)[None, :, None])[0, 0])
    expected = data.scaler.inverse_column(np.array([last_window[-1] + step]))[0]
    assert forecast_future(model, data, 1).iloc[0] == pytest.approx(expected, rel=1e-5)


def test_forecast_future_refuses_extra_features_and_bad_steps() -> None:
    cfg = data_cfg(features=("Volume",))
    data = prepare_forecast_data(prices(features=True), cfg)
    with pytest.raises(ValueError, match="needs a target-only model"):
        forecast_future(_model_for(cfg), data, 3)
    plain = prepare_forecast_data(prices(), data_cfg())
    with pytest.raises(ValueError, match="steps must be >= 1; got 0"):
        forecast_future(_model_for(data_cfg()), plain, 0)


# --- train_forecaster ---------------------------------------------------------------------------


@pytest.mark.parametrize("cell", CELLS)
def test_train_forecaster_beats_the_naive_baseline_on_a_sine(cell: str) -> None:
    # On a smooth sine the next change is predictable from the window, so the model must win.
    frame = prices(240)
    result = train_forecaster(
        frame, data_cfg(seq_len=10, target_mode="change"),
        ModelConfig(cell=cell, hidden_size=8, num_layers=1), tiny_train(epochs=15, lr=2e-2),
    )
    assert result.skill > 0, result.report
    assert result.verdict.startswith("The model beats")
    assert result.predicted.shape == (len(frame) - 10,)
    assert (result.model.input_size, result.model.seq_len) == (1, 10)
    assert list(result.report.columns) == ["model", "naive", "model / naive"]
    assert result.report.loc["RMSE", "model / naive"] < 1


def test_train_forecaster_next_mode_with_a_feature_is_seeded() -> None:
    frame = prices(120, features=True)
    cfg = data_cfg(seq_len=6, target_mode="next", features=("Volume",))
    runs = [train_forecaster(frame, cfg, TINY_MODEL, tiny_train(seed=3)) for _ in range(2)]
    np.testing.assert_array_equal(runs[0].predicted, runs[1].predicted)
    assert runs[0].model.input_size == 2
    np.testing.assert_allclose(predict_values(runs[0].model, runs[0].data), runs[0].predicted)


def test_train_forecaster_hands_over_the_data_it_prepared_before_training() -> None:
    handed: list[object] = []

    class Epochs(Callback):
        def on_epoch_end(self, progress: EpochProgress) -> None:
            handed.append(progress.epoch)

    result = train_forecaster(prices(120), data_cfg(seq_len=6), TINY_MODEL, tiny_train(epochs=2),
                              callbacks=[Epochs()], on_data=handed.append)
    assert handed[0] is result.data and handed[1:] == [1, 2]  # the data first, then the epochs


def test_train_forecaster_preview_callbacks_and_stop() -> None:
    seen: list[tuple[int, int]] = []
    epochs: list[int] = []

    class Epochs(Callback):
        def on_epoch_end(self, progress: EpochProgress) -> None:
            epochs.append(progress.epoch)

    frame = prices(80)
    result = train_forecaster(
        frame, data_cfg(), TINY_MODEL, tiny_train(epochs=7), callbacks=[Epochs()],
        preview=lambda epoch, pred: seen.append((epoch, len(pred))), preview_every=3,
    )
    assert epochs == list(range(1, 8))
    assert seen == [(1, 75), (3, 75), (6, 75)]
    assert result.history.stop_reason == "completed"

    stop = threading.Event()
    stop.set()
    stopped = train_forecaster(frame, data_cfg(), TINY_MODEL, tiny_train(epochs=7), stop=stop)
    assert stopped.history.stop_reason == "stopped"
    assert np.isfinite(stopped.predicted).all()
