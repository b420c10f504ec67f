"""Prediction intervals by split conformal prediction, and their measured coverage.

Residuals of forecasts the model never trained on (the validation part) calibrate the width::

    score_i  = |actual_i - predicted_i| / scale_i    (scale_i = 1, or the size of the recent errors)
    q        = the ceil((n + 1) * level)-th smallest of the n scores
    interval = predicted -/+ q * scale

If the validation residuals are exchangeable with the test ones, the interval holds the truth
with probability at least ``level``; the test part then says how often it really did (the
coverage shown beside the nominal 80 % and 95 %). Dividing by the size of the recent errors (the
RMS of the last ten one-step errors, known when the forecast is made) keeps intervals narrow in
calm stretches and wide in turbulent ones, which matters for prices whose volatility drifts
between the parts (measured while choosing it: closer to nominal than a fixed width or the recent
volatility of the changes).
Multi-step forecasts get one width per horizon, calibrated on the h-step errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LEVELS = (0.80, 0.95)
ERROR_WINDOW = 10  # one-step errors in the recent-error scale (the intervals' default scale)


def conformal_quantile(scores: np.ndarray, level: float) -> tuple[float, bool]:
    """The split-conformal quantile of ``scores`` at ``level``, and whether it is exact.

    With ``n`` scores the ``ceil((n + 1) * level)``-th smallest is used; when that rank is past
    ``n`` (too few scores, e.g. fewer than 19 for 95 %) the largest score is returned and the
    flag is False: the interval is then likely too narrow and the page should say so.

    Raises:
        ValueError: for a level outside (0, 1) or no finite score.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1); got {level!r}")
    scores = np.sort(np.asarray(scores, dtype=np.float64)[np.isfinite(scores)])
    if not len(scores):
        raise ValueError("conformal intervals need at least one finite calibration residual")
    rank = math.ceil((len(scores) + 1) * level)
    return float(scores[min(rank, len(scores)) - 1]), rank <= len(scores)


def recent_error_scale(actual: np.ndarray, predicted: np.ndarray, window: int = ERROR_WINDOW) -> np.ndarray:
    """RMS of the ``window`` one-step errors before each forecast: (n,), causal.

    Forecast ``k`` reads errors ``k - window .. k - 1`` only (all known when it is made); the first
    one borrows the second's. Zero is replaced by the smallest positive value (never divides by 0).
    """
    err2 = np.r_[0.0, np.cumsum((np.asarray(actual, np.float64) - np.asarray(predicted, np.float64)) ** 2)]
    k = np.arange(len(err2) - 1)
    lo = np.maximum(k - window, 0)
    out = np.sqrt((err2[k] - err2[lo]) / np.maximum(k - lo, 1))
    if len(out) > 1:
        out[0] = out[1]
    positive = out[out > 0]
    return np.where(out > 0, out, positive.min() if len(positive) else 1.0)


def chance_range(level: float, n: int, within: float = 0.95) -> tuple[float, float]:
    """Where a calibrated ``level`` interval's coverage of ``n`` test values lands ``within`` of the time.

    The central ``within`` range of ``k / n`` for ``k ~ Binomial(n, level)``: on 24 test values a
    perfect 80 % interval covers anywhere from 62.5 % to 95.8 %, so a coverage 10 points off nominal
    says nothing there, while on 500 values it would (76.4 % to 83.4 %).

    Raises:
        ValueError: for a level or ``within`` outside (0, 1), or ``n`` < 1.
    """
    if not (0.0 < level < 1.0 and 0.0 < within < 1.0) or n < 1:
        raise ValueError(f"need 0 < level, within < 1 and n >= 1; got {level!r}, {within!r}, {n!r}")
    k = np.arange(n + 1)
    log_pmf = np.array([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in k])
    log_pmf += k * math.log(level) + (n - k) * math.log1p(-level)
    cdf = np.cumsum(np.exp(log_pmf))
    tail = (1.0 - within) / 2
    low = int(np.searchsorted(cdf, tail, side="right"))  # smallest k with P(K <= k) > tail
    high = int(np.searchsorted(cdf, 1.0 - tail))  # smallest k with P(K <= k) >= 1 - tail
    return low / n, min(high, n) / n


@dataclass(frozen=True)
class PredictionInterval:
    """A two-sided interval around point forecasts, at one nominal level."""

    level: float  # nominal coverage, e.g. 0.8
    lower: np.ndarray  # same shape as the forecasts, real units
    upper: np.ndarray
    calibration: int  # residuals it was calibrated on
    exact: bool  # False: too few residuals for this level, the widest one was used

    def coverage(self, actual: np.ndarray) -> float:
        """Share of ``actual`` values inside the interval (NaNs ignored)."""
        return coverage(actual, self.lower, self.upper)


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of the known ``actual`` values with ``lower <= actual <= upper``; NaN if none is known."""
    actual = np.asarray(actual, dtype=np.float64)
    known = np.isfinite(actual)
    if not known.any():
        return float("nan")
    inside = (actual >= lower) & (actual <= upper)
    return float(np.mean(inside[known]))


def conformal_interval(
    cal_actual: np.ndarray,
    cal_predicted: np.ndarray,
    predicted: np.ndarray,
    level: float,
    cal_scale: np.ndarray | None = None,
    scale: np.ndarray | None = None,
) -> PredictionInterval:
    """Interval around ``predicted`` from the calibration residuals ``cal_actual - cal_predicted``.

    Args:
        cal_actual, cal_predicted: (n,) calibration targets and forecasts (validation part).
        predicted: forecasts to put intervals around (any shape broadcasting with ``scale``).
        level: nominal coverage in (0, 1).
        cal_scale, scale: optional positive scales of the calibration and new forecasts
            (normalised conformal); both or neither.
    """
    if (cal_scale is None) != (scale is None):
        raise ValueError("give both cal_scale and scale, or neither")
    resid = np.abs(np.asarray(cal_actual, dtype=np.float64) - np.asarray(cal_predicted, dtype=np.float64))
    if cal_scale is not None:
        resid = resid / np.asarray(cal_scale, dtype=np.float64)
    q, exact = conformal_quantile(resid, level)
    half = q * (np.asarray(scale, dtype=np.float64) if scale is not None else 1.0)
    predicted = np.asarray(predicted, dtype=np.float64)
    return PredictionInterval(level, predicted - half, predicted + half, int(np.isfinite(resid).sum()), exact)


def horizon_interval(
    cal_actual: np.ndarray,
    cal_forecast: np.ndarray,
    forecast: np.ndarray,
    level: float,
    cal_scale: np.ndarray | None = None,
    scale: np.ndarray | None = None,
) -> PredictionInterval:
    """Per-horizon intervals for multi-step forecasts: one conformal width per step ahead.

    Args:
        cal_actual, cal_forecast: (origins, H) calibration truths (NaN where unknown) and forecasts.
        forecast: (n, H) forecasts to put intervals around.
        level: nominal coverage in (0, 1).
        cal_scale, scale: optional (origins,) and (n,) scales at each origin (normalised conformal).
    """
    cal_actual, cal_forecast = np.asarray(cal_actual, np.float64), np.asarray(cal_forecast, np.float64)
    forecast = np.asarray(forecast, dtype=np.float64)
    if cal_actual.shape != cal_forecast.shape or cal_actual.shape[1] != forecast.shape[-1]:
        raise ValueError(f"shapes differ: calibration {cal_actual.shape} / {cal_forecast.shape}, "
                         f"forecast {forecast.shape}")
    scores = np.abs(cal_actual - cal_forecast)
    if cal_scale is not None:
        scores = scores / np.asarray(cal_scale, dtype=np.float64)[:, None]
    widths, exact = [], True
    for h in range(forecast.shape[-1]):
        q, ok = conformal_quantile(scores[:, h], level)
        widths.append(q)
        exact &= ok
    half = np.asarray(widths) * (np.asarray(scale, dtype=np.float64)[:, None] if scale is not None else 1.0)
    return PredictionInterval(level, forecast - half, forecast + half,
                              int(np.isfinite(scores[:, 0]).sum()), exact)
