"""One series as windows for a forecaster: split, scaled, windowed, with the way back to real units.

    frame (DatetimeIndex, numeric columns)
      -> chronological split of the rows: train | validation | test
      -> scaler fitted on the training rows only
      -> windows of seq_len rows; target = next value, or its change from the last one

A window belongs to the part that holds its *target* row, so a test window may read
the last training rows as inputs (they are known by then) but never a test target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from lstm_core.config import ForecastDataConfig
from lstm_core.preprocessing import Scaler, make_windows, split_sizes

PARTS = ("train", "val", "test")


@dataclass(frozen=True)
class ForecastData:
    """Windows of one series, scaled, with everything needed to map back to real units."""

    cfg: ForecastDataConfig
    x: torch.Tensor  # (windows, seq_len, features), scaled, float32
    y: torch.Tensor  # (windows, 1): scaled next value, or scaled change from the last value
    dates: pd.DatetimeIndex  # date of each window's target row
    actual: np.ndarray  # (windows,) target in real units
    naive: np.ndarray  # (windows,) last input value of the target: the naive "next = last" forecast
    scaler: Scaler
    parts: dict[str, slice]  # windows of "train", "val" and "test"
    series: pd.Series  # the whole target column in real units, for charts

    def tensors(self, part: str) -> tuple[torch.Tensor, torch.Tensor]:
        s = self.parts[part]
        return self.x[s], self.y[s]

    def to_values(self, y_scaled: np.ndarray, part: slice = slice(None)) -> np.ndarray:
        """Model outputs (scaled) for the windows in ``part`` -> target in real units."""
        y_scaled = np.asarray(y_scaled, dtype=np.float64).reshape(-1)
        if self.cfg.target_mode == "change":
            y_scaled = y_scaled + self.scaler.transform_column(self.naive[part], 0)
        return self.scaler.inverse_column(y_scaled, 0)

    @property
    def windows(self) -> dict[str, int]:
        """Windows per part: {"train": n, "val": n, "test": n}."""
        return {part: _size(s) for part, s in self.parts.items()}

    @property
    def boundaries(self) -> dict[str, pd.Timestamp]:
        """First target date of the validation and test parts (where the chart draws lines)."""
        return {p: self.dates[self.parts[p].start] for p in ("val", "test") if _size(self.parts[p])}


def _size(s: slice) -> int:
    return s.stop - s.start


def prepare_forecast_data(
    frame: pd.DataFrame, cfg: ForecastDataConfig, scaler: Scaler | None = None
) -> ForecastData:
    """Split, scale and window ``frame`` as ``cfg`` says.

    The scaler is fitted on the training part, unless a fitted ``scaler`` is given (a saved
    run's own, so that its model sees its inputs on the scale it was trained on).

    Raises:
        ValueError: a missing column, missing or infinite values, or too few rows for the split
            and sequence length (the message says what would work).
    """
    missing = [c for c in cfg.columns if c not in frame.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the data; available: {list(frame.columns)}")
    table = frame[list(cfg.columns)].astype("float64")
    if table.isna().any().any():
        bad = [c for c in cfg.columns if table[c].isna().any()]
        raise ValueError(f"column(s) {bad} have missing values; fill or drop them first")
    if not np.isfinite(table.to_numpy()).all():
        bad = [c for c in cfg.columns if not np.isfinite(table[c].to_numpy()).all()]
        raise ValueError(f"column(s) {bad} have infinite values; fix or drop those rows first")
    cfg.check_rows(len(table))
    n_train, n_val, _ = split_sizes(len(table), cfg.val_fraction, cfg.test_fraction)
    values = table.to_numpy()
    if scaler is None:
        scaler = Scaler(cfg.scaler).fit(values[:n_train])
    windows, next_rows = make_windows(scaler.transform(values), cfg.seq_len)
    y = next_rows[:, :1]
    if cfg.target_mode == "change":
        y = y - windows[:, -1, :1]
    # window k predicts row k + seq_len, so a part's rows [a, b) are windows [a - seq_len, b - seq_len)
    cut1, cut2 = n_train - cfg.seq_len, n_train + n_val - cfg.seq_len
    parts = {"train": slice(0, cut1), "val": slice(cut1, cut2), "test": slice(cut2, len(windows))}
    target = values[:, 0]
    return ForecastData(
        cfg=cfg,
        x=torch.tensor(windows, dtype=torch.float32),
        y=torch.tensor(y, dtype=torch.float32),
        dates=pd.DatetimeIndex(table.index[cfg.seq_len :]),
        actual=target[cfg.seq_len :],
        naive=target[cfg.seq_len - 1 : -1],
        scaler=scaler,
        parts=parts,
        series=table[cfg.target],
    )
