"""Forecasting pipeline: price table -> windows -> trained model -> judged predictions.

    frame -> ForecastData (lstm_core.forecast_data: split, scaler fitted on the training rows,
             windows of seq_len rows, target = next value or its change from the last one)
      -> fit() -> predictions inverse-scaled to real units -> metrics beside the naive
         "tomorrow = today" baseline, and (lstm_core.forecast_judge) beside every baseline,
         with error against horizon and split-conformal intervals

Two methods: "direct" trains the configured network on the scaled windows (seed 003's way, and
the old default); "residual" (lstm_core.forecast_model, the Recommended preset) starts at the
best linear forecast and lets the network learn only what helps on the validation part.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import torch

from lstm_core.baselines import fit_baselines
from lstm_core.config import ForecastDataConfig, ModelConfig, TrainConfig
from lstm_core.forecast_data import ForecastData, prepare_forecast_data
from lstm_core.forecast_judge import Judgement, future_intervals, judge
from lstm_core.forecast_model import Preview, ResidualForecaster, series_predictions, train_residual
from lstm_core.forecast_paths import forecast_future, multi_step
from lstm_core.frequency import Frequency, detect_frequency
from lstm_core.metrics import comparison_verdict, regression_report, skill_score, verdict
from lstm_core.models import build_model
from lstm_core.progress import History
from lstm_core.tasks import REGRESSION
from lstm_core.training import fit, predict, seeded

Method = Literal["direct", "residual"]
METHODS: tuple[str, ...] = ("direct", "residual")
# steps ahead in the error-against-horizon table: a day of hours, two weeks of days, a year of months...
HORIZONS = {"hourly": 24, "daily": 14, "business-daily": 10, "weekly": 13, "monthly": 12, "quarterly": 8}


def build_forecaster(model_cfg: ModelConfig, data_cfg: ForecastDataConfig) -> torch.nn.Module:
    """The model ``model_cfg`` describes, sized for ``data_cfg``'s windows (one value out)."""
    return build_model(model_cfg, input_size=len(data_cfg.columns), output_size=1, seq_len=data_cfg.seq_len)


def predict_values(model: torch.nn.Module, data: ForecastData) -> np.ndarray:
    """Predictions for every window, in real units: shape (windows,)."""
    if isinstance(model, ResidualForecaster):
        return series_predictions(model, data)
    device = next(model.parameters()).device
    return data.to_values(predict(model, data.x.to(device)).cpu().numpy())


def forecast_report(
    data: ForecastData, predicted: np.ndarray, part: str = "test"
) -> tuple[pd.DataFrame, float]:
    """Metrics of ``part`` for the model and the naive baseline, and the skill score."""
    s = data.parts[part]
    if s.stop <= s.start:
        raise ValueError(f"the {part} part has no windows")
    actual, pred, last = data.actual[s], predicted[s], data.naive[s]
    return regression_report(actual, pred, last), skill_score(actual, pred, last)


@dataclass(frozen=True)
class ForecastResult:
    model: torch.nn.Module
    model_cfg: ModelConfig
    train_cfg: TrainConfig
    data: ForecastData
    history: History
    predicted: np.ndarray  # (windows,) real units, every part
    report: pd.DataFrame  # test metrics, model beside naive
    skill: float  # 1 - RMSE_model / RMSE_naive on the test part
    method: str = "direct"  # "direct" or "residual"
    frequency: Frequency | None = None  # None when the dates have no usable calendar
    judgement: Judgement | None = None  # every baseline, horizons, intervals (None for a loaded run)
    notes: tuple[str, ...] = ()  # what the method started from, kept or fell back to, and why

    @property
    def verdict(self) -> str:
        """The model against the naive baseline, worded for the data's frequency."""
        return verdict(self.skill, self.frequency.naive_wording if self.frequency else "tomorrow = today")

    @property
    def comparison_verdict(self) -> str:
        """The model against the best baseline on the test part, named, with the gap."""
        if self.judgement is None:
            return self.verdict
        table = self.judgement.comparison
        return comparison_verdict(table.loc["model", "test RMSE"], table["test RMSE"].drop("model").to_dict())

    def future(self, steps: int) -> pd.DataFrame:
        """The forecast beyond the data with 80 % and 95 % intervals (columns forecast, lower 80%,
        upper 80%, lower 95%, upper 95%), calibrated on the validation and test origins."""
        forecast = forecast_future(self.model, self.data, steps)
        run = multi_step(self.model, self.data)
        out = pd.DataFrame({"forecast": forecast})
        if run is not None:
            values = self.data.series.to_numpy(dtype=np.float64)
            for level, iv in future_intervals(values, self.data.cfg.seq_len, self.data.parts, run,
                                              forecast.to_numpy(), _fixed(self.model)).items():
                out[f"lower {level:.0%}"], out[f"upper {level:.0%}"] = iv.lower, iv.upper
        return out


def _fixed(model: torch.nn.Module) -> bool:
    """A residual forecaster whose recurrent part is off has no weights learned by gradient descent."""
    return isinstance(model, ResidualForecaster) and not model.learned


def forecast_sizes(data_cfg: ForecastDataConfig, n_rows: int, method: Method = "direct") -> dict[str, int]:
    """The sizes a cost or size check needs before the data are windowed (rows, not windows)."""
    extra = 3 if method == "residual" else 0  # changes, levels and calendar features, about
    return {"input_size": len(data_cfg.columns) + extra, "output_size": 1, "seq_len": data_cfg.seq_len,
            "n_train": int(n_rows * (1 - data_cfg.val_fraction - data_cfg.test_fraction)),
            "n_eval": int(n_rows * data_cfg.val_fraction)}


def data_frequency(data: ForecastData) -> tuple[Frequency | None, list[str]]:
    """The frequency of ``data``'s dates, and a sentence when it is irregular or cannot be told."""
    try:
        freq = detect_frequency(pd.DatetimeIndex(data.series.index))
    except ValueError as exc:
        return None, [f"Frequency unknown ({exc}): no seasonal baseline or calendar features."]
    return freq, [freq.description] if freq.kind == "irregular" else []


def _train_direct(
    data: ForecastData,
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    callbacks: Sequence[object],
    stop: threading.Event | None,
    preview: Callable[[int, np.ndarray], None] | None,
    preview_every: int,
) -> tuple[torch.nn.Module, History]:
    """The "direct" method: the network trained on the scaled windows."""
    with seeded(train_cfg.seed):
        model = build_forecaster(model_cfg, data.cfg)
    if data.cfg.target_mode == "change":
        # A zero head predicts "no change": training starts exactly at the naive baseline,
        # so with best-weight restore a model that learns nothing stays close to it.
        torch.nn.init.zeros_(model.head.weight)
        torch.nn.init.zeros_(model.head.bias)
    extra = [Preview(lambda: predict_values(model, data), preview_every, preview)] if preview else []
    history = fit(model, data.tensors("train"), data.tensors("val"), train_cfg, REGRESSION,
                  [*callbacks, *extra], stop)
    return model, history


def train_forecaster(
    frame: pd.DataFrame,
    data_cfg: ForecastDataConfig,
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    callbacks: Sequence[object] = (),
    stop: threading.Event | None = None,
    preview: Callable[[int, np.ndarray], None] | None = None,
    preview_every: int = 5,
    method: Method = "direct",
    horizon: int | None = None,
    on_data: Callable[[ForecastData], None] | None = None,
) -> ForecastResult:
    """Prepare the data, train a forecaster and judge it against every baseline.

    Args:
        frame, data_cfg, model_cfg, train_cfg: the data, its windows, the network and its training.
        callbacks, stop: passed to ``fit``.
        preview: receives (epoch, predictions in real units) on epoch 1 and every
            ``preview_every`` epochs, for a live fit chart.
        method: "direct" trains the network on the scaled windows; "residual" starts at the best
            linear forecast and keeps only what helps on the validation part (target only).
        horizon: steps ahead in the error-against-horizon table (a default per frequency).
        on_data: receives the prepared data before training starts (a live page draws it).

    Raises:
        ValueError: bad data (see ``prepare_forecast_data``), an unknown method, or "residual"
            with extra feature columns.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    data = prepare_forecast_data(frame, data_cfg)
    if on_data is not None:
        on_data(data)
    freq, notes = data_frequency(data)
    values, seq_len = data.series.to_numpy(dtype=np.float64), data_cfg.seq_len
    season = freq.season if freq is not None else None
    n_train = data.parts["train"].stop + seq_len
    baselines = fit_baselines(values, seq_len, n_train, data.windows["val"], season)
    if method == "residual":
        model, history, more = train_residual(data, freq, baselines, model_cfg, train_cfg, callbacks, stop,
                                               preview, preview_every)
        notes += more
    else:
        model, history = _train_direct(data, model_cfg, train_cfg, callbacks, stop, preview, preview_every)
    predicted = predict_values(model, data)
    report, skill = forecast_report(data, predicted)
    steps = horizon or HORIZONS.get(freq.kind if freq is not None else "", 10)
    judgement = judge(values, seq_len, data.parts, predicted, baselines, multi_step(model, data), steps,
                      fixed=_fixed(model))
    return ForecastResult(model, model_cfg, train_cfg, data, history, predicted, report, skill, method, freq,
                          judgement, tuple(notes) + judgement.notes)
