"""The residual forecaster's inputs: standardised changes and levels plus calendar features.

Every statistic is fitted on the training rows only (``fit_input_spec``), and a window of
``seq_len`` rows before target row t reads only rows before t, plus row t's calendar::

    per step r (t-seq_len .. t-1): [ (y[r] - y[r-1] - center) / scale, (y[r] - level_shift) / level_scale,
                                     calendar of row r+1 (sin, cos) ]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

import numpy as np
import pandas as pd
import torch

from lstm_core.frequency import Frequency, FrequencyKind, calendar_features


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class InputSpec:
    """How a series becomes the forecaster's inputs; everything is fitted on the training rows."""

    seq_len: int  # rows per window
    center: float  # mean change on the training part (real units)
    scale: float  # std of the changes on the training part
    level_shift: float  # mean level on the training part
    level_scale: float  # std of the levels on the training part
    freq: Frequency | None  # calendar features follow it; None: no calendar features

    @property
    def n_calendar(self) -> int:
        return 2 * len(self.freq.calendar_names()) if self.freq is not None else 0

    @property
    def input_size(self) -> int:
        return 2 + self.n_calendar

    def calendar(self, dates: pd.DatetimeIndex) -> np.ndarray:
        """(len(dates), n_calendar) calendar features of ``dates``."""
        if self.freq is None:
            return np.zeros((len(dates), 0), dtype=np.float32)
        return calendar_features(dates, self.freq)

    def to_dict(self) -> dict:
        """Plain JSON data for a run file."""
        freq = None if self.freq is None else {
            "kind": self.freq.kind, "step_s": self.freq.step.total_seconds(),
            "regular_share": self.freq.regular_share, "gaps": self.freq.gaps,
            "pandas_freq": self.freq.pandas_freq}
        return {"seq_len": self.seq_len, "center": self.center, "scale": self.scale,
                "level_shift": self.level_shift, "level_scale": self.level_scale, "freq": freq}

    @classmethod
    def from_dict(cls, data: dict) -> InputSpec:
        """The spec ``to_dict`` wrote; a ValueError for anything that is not such data."""
        numbers = [data.get(k) for k in ("center", "scale", "level_shift", "level_scale")]
        if not all(is_number(v) and np.isfinite(v) for v in numbers):
            raise ValueError("the forecaster's input statistics must be finite numbers")
        if numbers[1] <= 0 or numbers[3] <= 0:
            raise ValueError("the forecaster's scales must be positive")
        seq_len, freq = data.get("seq_len"), data.get("freq")
        if not is_whole(seq_len) or seq_len < 1:
            raise ValueError("the forecaster's seq_len must be a whole number >= 1")
        if freq is not None:
            if not isinstance(freq, dict) or freq.get("kind") not in get_args(FrequencyKind):
                raise ValueError("the forecaster's frequency is not one this program knows")
            freq = Frequency(freq["kind"], pd.Timedelta(seconds=float(freq["step_s"])),
                             float(freq["regular_share"]), int(freq["gaps"]), freq.get("pandas_freq"))
        return cls(seq_len, *(float(v) for v in numbers), freq)

    def step_features(self, values: np.ndarray, calendar_next: np.ndarray) -> np.ndarray:
        """Features of consecutive rows: values (..., L + 1) and the calendar of the row after each
        of the last L rows (..., L, C) -> (..., L, 2 + C); the first value only gives a change."""
        values = np.asarray(values, dtype=np.float64)
        change = (np.diff(values, axis=-1) - self.center) / self.scale
        level = (values[..., 1:] - self.level_shift) / self.level_scale
        feats = np.concatenate([change[..., None], level[..., None], calendar_next], axis=-1)
        return feats.astype(np.float32)


def fit_input_spec(values: np.ndarray, n_train: int, seq_len: int, freq: Frequency | None) -> InputSpec:
    """Standardise changes and levels with the training rows' statistics (no later row is read)."""
    train = np.asarray(values[:n_train], dtype=np.float64)
    d = np.diff(train)
    return InputSpec(seq_len, float(d.mean()), float(d.std()) or 1.0, float(train.mean()),
                     float(train.std()) or 1.0, freq)


def window_inputs(
    values: np.ndarray, dates: pd.DatetimeIndex, rows: np.ndarray, spec: InputSpec
) -> torch.Tensor:
    """Inputs of the windows that predict ``rows``: (len(rows), seq_len, input_size) float32.

    Window for target row t reads rows t-seq_len .. t-1 (the change of row 0 counts as the mean
    change) and the calendar of rows t-seq_len+1 .. t (the target's own time is known in advance).
    """
    values = np.asarray(values, dtype=np.float64)
    padded = np.r_[values[0] - spec.center, values]  # row 0's change = the mean change: standardised 0
    cal = spec.calendar(pd.DatetimeIndex(dates))
    rows = np.asarray(rows, dtype=np.int64)
    # padded[p] is row p - 1, so padded[t - seq_len .. t] is rows t-seq_len-1 .. t-1, and the
    # calendar of the row after each of the last seq_len of them is cal[t - seq_len + 1 .. t]
    span = rows[:, None] - spec.seq_len + np.arange(spec.seq_len + 1)
    feats = spec.step_features(padded[span], cal[span[:, 1:]])
    return torch.from_numpy(feats)
