"""A trained forecaster judged against every baseline: errors, horizons, intervals and a verdict.

    one-step predictions (windows,)  +  baselines' predictions  ->  comparison table per part
    multi-step forecasts from each origin                      ->  RMSE against horizon 1..H
    validation residuals (split conformal)                     ->  80 % / 95 % intervals on the
                                                                   test part, coverage measured

Everything here is computed after training from arrays, so the same judgement serves any
model that gives one-step predictions and, optionally, recursive multi-step forecasts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lstm_core.baselines import Baselines, horizon_actuals, rmse_by_horizon
from lstm_core.intervals import (
    LEVELS,
    PredictionInterval,
    chance_range,
    conformal_interval,
    horizon_interval,
    recent_error_scale,
)

# (origins, horizon) -> (len(origins), horizon) forecasts in real units
MultiStep = Callable[[np.ndarray, int], np.ndarray]
# Forecasts this close (relative) are the same: a switched-off network returns its start's
# forecast through float32, about 1e-7 of the values away.
SAME_RTOL = 1e-6


@dataclass(frozen=True)
class Judgement:
    """How a forecaster compares with every baseline, and how sure its forecasts are."""

    baselines: Baselines
    comparison: pd.DataFrame  # index: "model" + baseline names; RMSE / MAE per part, test RMSE ratio
    best_baseline: str  # the baseline with the lowest validation RMSE (test RMSE without validation)
    selected: str  # "model", or the baseline to show instead (it beat the model on validation)
    horizon: pd.DataFrame  # index h = 1..H; test RMSE of "model" and each baseline h steps ahead
    intervals: dict[float, PredictionInterval]  # one-step intervals on every window, by level
    coverage: dict[float, float]  # measured on the test part, by level
    horizon_coverage: pd.DataFrame  # index h; test coverage of per-horizon intervals, per level
    notes: tuple[str, ...] = field(default=())
    covered_values: int = 0  # test values the coverage was measured on

    def coverage_in_words(self) -> list[str]:
        """Each level's measured coverage beside the range a calibrated interval shows on as many
        test values 19 times in 20 (``intervals.chance_range``), e.g. "80% interval: covers 95.8% of
        24 test values (a calibrated one: 62.5% to 95.8%, 19 times in 20)"."""
        lines = []
        for level, value in sorted(self.coverage.items()):
            if not np.isfinite(value) or self.covered_values < 1:
                continue
            low, high = chance_range(level, self.covered_values)
            verdict = "" if low <= value <= high else "; outside that range, so not well calibrated here"
            lines.append(f"{level:.0%} interval: covers {value:.1%} of {self.covered_values:,} test values "
                         f"(a calibrated one: {low:.1%} to {high:.1%}, 19 times in 20{verdict})")
        return lines


def _rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((a - b) ** 2))) if len(a) else float("nan")


def comparison_table(actual: np.ndarray, predictions: dict[str, np.ndarray],
                     parts: dict[str, slice]) -> pd.DataFrame:
    """RMSE and MAE of each forecaster on the validation and test parts, and test RMSE / model's."""
    rows = {}
    for name, pred in predictions.items():
        row = {}
        for part in ("val", "test"):
            s = parts[part]
            row[f"{part} RMSE"] = _rmse(actual[s], pred[s])
            row[f"{part} MAE"] = float(np.mean(np.abs(actual[s] - pred[s]))) if s.stop > s.start else np.nan
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["model / this (test RMSE)"] = table.loc["model", "test RMSE"] / table["test RMSE"]
    return table


def _origins(first_row: int, last_row: int) -> np.ndarray:
    """Origins whose next row lies in rows [first_row, last_row): the forecasts of that part."""
    return np.arange(first_row - 1, last_row - 1)


def judge(
    values: np.ndarray,
    seq_len: int,
    parts: dict[str, slice],
    predicted: np.ndarray,
    baselines: Baselines,
    multi_step: MultiStep | None,
    horizon: int,
    fixed: bool = False,
) -> Judgement:
    """Compare ``predicted`` with every baseline and put intervals around it.

    Args:
        values: the target series in real units, (rows,).
        seq_len: rows per window (window k predicts row k + seq_len).
        parts: window slices of "train", "val" and "test" (``ForecastData.parts``).
        predicted: the model's one-step predictions of every window, real units.
        baselines: fitted on the same split (``fit_baselines``).
        multi_step: the model's recursive forecasts, or None (no horizon column for the model).
        horizon: steps ahead for the error-against-horizon table and its intervals.
        fixed: the model learned nothing by gradient descent (a closed-form fit or naive), so its
            training residuals are as honest as validation ones: intervals are calibrated on the
            training and validation windows together (more residuals, a wider stretch of time).
    """
    actual = np.asarray(values, dtype=np.float64)[seq_len:]
    preds = {"model": np.asarray(predicted, dtype=np.float64), **baselines.predictions}
    table = comparison_table(actual, preds, parts)
    has_val = parts["val"].stop > parts["val"].start
    key = "val RMSE" if has_val else "test RMSE"
    base = table.drop(index="model")[key]
    best = str(base.idxmin())
    selected = best if has_val and base[best] < table.loc["model", key] * (1 - SAME_RTOL) else "model"
    notes = []
    if selected != "model":
        gain = 1 - base[best] / table.loc["model", key]
        notes.append(f"On the validation part the {best} forecast beats the model (RMSE {gain:.1%} lower): "
                     f"its forecast is shown beside the model's.")
    cal = calibration_part(parts, fixed)
    intervals, coverage, note = _one_step_intervals(values, seq_len, parts, preds["model"], cal)
    notes += note
    h_table, h_cov = _horizons(values, seq_len, parts, baselines, multi_step, horizon, cal)
    known = int(np.isfinite(actual[parts["test"]]).sum())
    return Judgement(baselines, table, best, selected, h_table, intervals, coverage, h_cov, tuple(notes),
                     covered_values=known)


def calibration_part(parts: dict[str, slice], fixed: bool) -> slice:
    """The windows whose residuals calibrate the intervals: validation ones, or training and
    validation ones for a model without learned weights (or without a validation part)."""
    if fixed or parts["val"].stop == parts["val"].start:
        return slice(parts["train"].start, parts["val"].stop)
    return parts["val"]


def _one_step_intervals(values: np.ndarray, seq_len: int, parts: dict[str, slice],
                        predicted: np.ndarray, cal: slice) -> tuple[dict, dict, list[str]]:
    """Split-conformal intervals calibrated on the ``cal`` windows, scaled by the recent one-step
    errors, with their coverage on the test windows."""
    actual = np.asarray(values, dtype=np.float64)[seq_len:]
    scale = recent_error_scale(actual, predicted)
    notes = []
    if parts["val"].stop == parts["val"].start:
        notes.append("No validation part: intervals are calibrated on training residuals and may be too "
                     "narrow for a trained network.")
    intervals, coverage = {}, {}
    for level in LEVELS:
        iv = conformal_interval(actual[cal], predicted[cal], predicted, level, scale[cal], scale)
        intervals[level] = iv
        t = parts["test"]
        coverage[level] = iv.coverage(np.where(np.arange(len(actual)) >= t.start, actual, np.nan))
        if not iv.exact:
            notes.append(f"Only {iv.calibration} calibration residuals: the {level:.0%} interval uses the "
                         "widest one and is likely too narrow.")
    return intervals, coverage, notes


def _masked_actuals(values: np.ndarray, origins: np.ndarray, horizon: int, end: int) -> np.ndarray:
    actual = horizon_actuals(values, origins, horizon)
    rows = origins[:, None] + np.arange(1, horizon + 1)
    return np.where(rows < end, actual, np.nan)  # never calibrate on a later part's rows


def _horizons(values: np.ndarray, seq_len: int, parts: dict[str, slice], baselines: Baselines,
              multi_step: MultiStep | None, horizon: int, cal: slice) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Test RMSE by steps ahead for the model and each baseline, and the coverage of per-horizon
    intervals (calibrated on the origins of the ``cal`` windows) on the test origins."""
    n = len(values)
    v0, v1, t0 = max(cal.start + seq_len, seq_len + 1), cal.stop + seq_len, parts["test"].start + seq_len
    test_origins = _origins(t0, n)
    actual = horizon_actuals(values, test_origins, horizon)
    forecasts = dict(baselines.forecast(values, test_origins, horizon))
    index = pd.RangeIndex(1, horizon + 1, name="steps ahead")
    cov = pd.DataFrame(index=index, columns=[f"{lv:.0%}" for lv in LEVELS], dtype=float)
    if multi_step is not None:
        forecasts = {"model": multi_step(test_origins, horizon), **forecasts}
        val_origins = _origins(v0, v1)
        if len(val_origins):
            cal_actual = _masked_actuals(values, val_origins, horizon, v1)
            cal_fc = multi_step(val_origins, horizon)
            known = np.isfinite(cal_actual).sum(axis=0)
            h_ok = int(np.argmin(known > 0)) if (known == 0).any() else horizon
            for level in LEVELS:
                if h_ok == 0:
                    break
                iv = horizon_interval(cal_actual[:, :h_ok], cal_fc[:, :h_ok], forecasts["model"][:, :h_ok],
                                      level)
                inside = (actual[:, :h_ok] >= iv.lower) & (actual[:, :h_ok] <= iv.upper)
                known_test = np.isfinite(actual[:, :h_ok])
                with np.errstate(invalid="ignore"):
                    share = (inside & known_test).sum(axis=0) / known_test.sum(axis=0)
                cov.iloc[:h_ok, LEVELS.index(level)] = share
    table = pd.DataFrame({name: rmse_by_horizon(actual, fc) for name, fc in forecasts.items()}, index=index)
    return table, cov


def future_intervals(values: np.ndarray, seq_len: int, parts: dict[str, slice], multi_step: MultiStep,
                     forecast: np.ndarray, fixed: bool = False) -> dict[float, PredictionInterval]:
    """Per-horizon intervals around a forecast beyond the data, calibrated on the calibration
    windows' origins and every test origin (all known by then).

    Args:
        forecast: (horizon,) the model's forecast after the last row.
        fixed: as for ``judge``: a model without learned weights calibrates on training origins too.
    """
    horizon = len(forecast)
    first = max(calibration_part(parts, fixed).start + seq_len, seq_len + 1)
    origins = _origins(first, len(values))
    cal_actual = horizon_actuals(values, origins, horizon)
    cal_fc = multi_step(origins, horizon)
    out = {}
    for level in LEVELS:
        known = np.isfinite(cal_actual).sum(axis=0) > 0
        lower = np.full(horizon, np.nan)
        upper = np.full(horizon, np.nan)
        h = int(known.sum()) if known.all() else int(np.argmin(known))
        if h:
            iv = horizon_interval(cal_actual[:, :h], cal_fc[:, :h], np.asarray(forecast)[None, :h], level)
            lower[:h], upper[:h] = iv.lower[0], iv.upper[0]
            out[level] = PredictionInterval(level, lower, upper, iv.calibration, iv.exact and h == horizon)
        else:
            out[level] = PredictionInterval(level, lower, upper, 0, False)
    return out
