"""Cheap forecasts every model must beat: naive, seasonal naive, drift and a linear autoregression.

All work on the target series in real units, ``values`` of shape (rows,). One-step predictions
line up with ``ForecastData``'s windows: window ``k`` predicts row ``t = k + seq_len`` from rows
``< t`` only, so ``predictions[data.parts["test"]]`` is the test part of every baseline::

    naive           y[t-1]                                     ("tomorrow = today")
    seasonal naive  y[t-m]     (m = the seasonal period; naive while t < m)
    drift           y[t-1] + (y[t-1] - y[0]) / (t-1)          (the average change so far)
    linear AR       y[t-1] + ridge on the last p changes        (fitted on the training part only)

Multi-step forecasts from an origin ``o`` (the last known row) give error against horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_core.linear_ar import LinearAR, ar_forecast, fit_linear_ar, lagged_changes, series_values

BASELINE_NAMES = ("naive", "seasonal naive", "drift", "linear AR")


def _seasonal(values: np.ndarray, rows: np.ndarray, season: int) -> np.ndarray:
    back = rows - season
    return np.where(back >= 0, values[np.maximum(back, 0)], values[rows - 1])


def _drift(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    span = np.maximum(rows - 1, 1)
    return values[rows - 1] + (values[rows - 1] - values[0]) / span


def one_step_predictions(
    values: np.ndarray, seq_len: int, season: int | None, ar: LinearAR | None
) -> dict[str, np.ndarray]:
    """Each baseline's prediction of rows ``seq_len .. rows-1``, aligned with the windows.

    Args:
        values: the target series in real units, (rows,).
        seq_len: rows in a window (the first row predicted is row ``seq_len``).
        season: seasonal period in rows; None or < 2 leaves out the seasonal naive forecast.
        ar: a fitted ``LinearAR`` (None leaves it out); rows before ``ar.lags + 1`` get naive.

    Returns:
        ``{name: (rows - seq_len,) predictions}`` in ``BASELINE_NAMES`` order, real units.
    """
    values = series_values(values)
    if not 1 <= seq_len < len(values):
        raise ValueError(f"seq_len must be in [1, {len(values) - 1}]; got {seq_len}")
    rows = np.arange(seq_len, len(values))
    out = {"naive": values[rows - 1]}
    if season is not None and season >= 2:
        out["seasonal naive"] = _seasonal(values, rows, season)
    out["drift"] = _drift(values, rows)
    if ar is not None:
        pred = values[rows - 1].copy()
        ok = rows > ar.lags
        pred[ok] += ar.predict_change(lagged_changes(values, rows[ok], ar.lags), values[rows[ok] - 1])
        out["linear AR"] = pred
    return out


def multi_step_forecasts(
    values: np.ndarray, origins: np.ndarray, horizon: int, season: int | None, ar: LinearAR | None
) -> dict[str, np.ndarray]:
    """Forecasts 1..``horizon`` steps after each origin, from rows up to the origin only.

    Args:
        values: the target series in real units, (rows,).
        origins: last known row of each forecast (each >= ``ar.lags`` when ``ar`` is given).
        horizon: steps ahead, >= 1.

    Returns:
        ``{name: (len(origins), horizon)}``; the linear AR feeds its own forecasts back.
    """
    values = series_values(values)
    origins = np.asarray(origins, dtype=np.int64)
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1; got {horizon}")
    steps = np.arange(1, horizon + 1)
    last = values[origins][:, None]
    out = {"naive": np.repeat(last, horizon, axis=1)}
    if season is not None and season >= 2:
        # the same season's last known value: y[o + h - m * ceil(h / m)]
        back = origins[:, None] + steps - season * np.ceil(steps / season).astype(np.int64)
        out["seasonal naive"] = np.where(back >= 0, values[np.maximum(back, 0)], last)
    slope = (values[origins] - values[0]) / np.maximum(origins, 1)
    out["drift"] = last + slope[:, None] * steps
    if ar is not None:
        out["linear AR"] = ar_forecast(values, origins, horizon, ar)
    return out


def horizon_actuals(values: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """The true values 1..``horizon`` steps after each origin; NaN past the end: (origins, horizon)."""
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    rows = np.asarray(origins, dtype=np.int64)[:, None] + np.arange(1, horizon + 1)
    return np.where(rows < len(values), values[np.minimum(rows, len(values) - 1)], np.nan)


def rmse_by_horizon(actual: np.ndarray, forecast: np.ndarray) -> np.ndarray:
    """RMSE at each horizon over the origins whose target is known: (origins, H) -> (H,)."""
    err = (np.asarray(forecast, dtype=np.float64) - actual) ** 2
    with np.errstate(invalid="ignore"):
        return np.sqrt(np.nanmean(err, axis=0))


@dataclass(frozen=True)
class Baselines:
    """The fitted baselines of one series and their one-step predictions, aligned with the windows."""

    season: int | None  # seasonal period used by "seasonal naive" (None: left out)
    ar: LinearAR  # the linear autoregression, fitted on the training part
    predictions: dict[str, np.ndarray]  # name -> (windows,) real units

    def forecast(self, values: np.ndarray, origins: np.ndarray, horizon: int) -> dict[str, np.ndarray]:
        """Every baseline's forecasts 1..``horizon`` steps after each origin."""
        return multi_step_forecasts(values, origins, horizon, self.season, self.ar)


def fit_baselines(
    values: np.ndarray, seq_len: int, n_train: int, n_val: int, season: int | None
) -> Baselines:
    """Fit the linear AR on the training rows (``seq_len - 1`` lags) and predict every window.

    Args:
        values: the target series in real units, (rows,).
        seq_len: rows per window; the windows' first target is row ``seq_len``.
        n_train, n_val: rows in the training and validation parts (``ForecastData``'s split).
        season: seasonal period in rows, or None.
    """
    ar = fit_linear_ar(values, n_train, max(1, seq_len - 1), n_val, season)
    return Baselines(season, ar, one_step_predictions(values, seq_len, season, ar))
