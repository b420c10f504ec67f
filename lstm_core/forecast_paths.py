"""Forecasts from a trained forecaster beyond one step: past the data, and from any origin inside it.

``forecast_future`` continues the series past its last row (a scenario: each forecast is fed back
as input); ``multi_step`` gives the same recursion from every origin inside the data, which the
judgement turns into error against horizon and per-horizon intervals. Both serve the direct
networks (scaled windows of the target) and the residual forecaster (``lstm_core.forecast_model``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from lstm_core.forecast_data import ForecastData
from lstm_core.forecast_judge import MultiStep
from lstm_core.forecast_model import ResidualForecaster
from lstm_core.training import predict


def _future_dates(dates: pd.DatetimeIndex, steps: int) -> pd.DatetimeIndex:
    """Continue the calendar: business days for a weekday-only daily series, else the usual step."""
    freq = pd.DatetimeIndex(dates, freq="infer").freq if len(dates) >= 3 else None
    if freq is not None:  # a regular calendar (monthly bars keep month starts, not 31-day steps)
        return pd.date_range(dates[-1], periods=steps + 1, freq=freq)[1:]
    step = pd.Series(dates).diff().median()
    if step <= pd.Timedelta(days=1.5) and dates.day_of_week.max() < 5:
        return pd.bdate_range(dates[-1] + pd.offsets.BDay(1), periods=steps)
    return pd.DatetimeIndex([dates[-1] + step * (k + 1) for k in range(steps)])


def forecast_future(model: torch.nn.Module, data: ForecastData, steps: int) -> pd.Series:
    """Recursive forecast of ``steps`` values beyond the data, each fed back as input.

    Errors compound with every step, so read it as a scenario, not a promise.

    Raises:
        ValueError: with extra feature columns (their future values are unknown).
    """
    if data.cfg.features:
        raise ValueError("a forecast beyond the data needs a target-only model: extra features "
                         "have no known future values")
    if steps < 1:
        raise ValueError(f"steps must be >= 1; got {steps}")
    name = f"{data.cfg.target} forecast"
    if isinstance(model, ResidualForecaster):
        dates = pd.DatetimeIndex(data.series.index)
        future = _future_dates(dates, steps) if model.spec.freq is None else (
            model.spec.freq.future_dates(dates[-1], steps))
        values = model.forecast(data.series.to_numpy(dtype=np.float64), dates, np.array([len(dates) - 1]),
                                steps, future)[0]
        return pd.Series(values, index=future, name=name)
    device = next(model.parameters()).device
    recent = data.scaler.transform_column(data.series.to_numpy()[-data.cfg.seq_len :], 0)
    window = torch.tensor(recent[:, None], dtype=torch.float32, device=device)
    out = []
    for _ in range(steps):
        y = float(predict(model, window[None])[0, 0])
        nxt = y + float(window[-1, 0]) if data.cfg.target_mode == "change" else y
        out.append(nxt)
        window = torch.cat([window[1:], window.new_tensor([[nxt]])])
    values = data.scaler.inverse_column(np.array(out), 0)
    return pd.Series(values, index=_future_dates(pd.DatetimeIndex(data.series.index), steps), name=name)


def multi_step(model: torch.nn.Module, data: ForecastData) -> MultiStep | None:
    """The model's recursive forecasts from any origins inside the data, or None with extra features."""
    values, dates = data.series.to_numpy(dtype=np.float64), pd.DatetimeIndex(data.series.index)
    if isinstance(model, ResidualForecaster):
        def residual(origins: np.ndarray, horizon: int) -> np.ndarray:
            freq = model.spec.freq  # forecasts from the last origins run past the data's dates
            future = _future_dates(dates, horizon) if freq is None else freq.future_dates(dates[-1], horizon)
            return model.forecast(values, dates, origins, horizon, future)

        return residual
    if data.cfg.features:
        return None
    seq_len, change = data.cfg.seq_len, data.cfg.target_mode == "change"
    scaled = data.scaler.transform_column(values, 0)
    device = next(model.parameters()).device

    def run(origins: np.ndarray, horizon: int) -> np.ndarray:
        rows = origins[:, None] - seq_len + 1 + np.arange(seq_len)
        window = torch.tensor(scaled[rows], dtype=torch.float32, device=device)[:, :, None]
        out = np.empty((len(origins), horizon))
        for h in range(horizon):
            y = predict(model, window)[:, :1]
            nxt = y + window[:, -1] if change else y
            out[:, h] = nxt[:, 0].cpu().numpy()
            window = torch.cat([window[:, 1:], nxt[:, None]], dim=1)
        return data.scaler.inverse_column(out, 0)

    return run
