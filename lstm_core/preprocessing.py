"""Scalers and sliding windows: how a table of prices becomes supervised tensors.

A window of ``seq_len`` consecutive rows predicts the target one row later::

    rows      t-seq_len ... t-1 | t
    window    [---- inputs ----] | target
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Scaler:
    """Per-column affine scaling ``(x - shift) / scale``, invertible.

    Fit it on the training rows only: fitting on all rows would leak the test
    period's range into training.
    """

    kind: str = "standard"  # "standard": mean / std; "minmax": min / (max - min)
    shift: np.ndarray | None = None
    scale: np.ndarray | None = None

    def fit(self, values: np.ndarray) -> Scaler:
        """Learn shift and scale from ``values`` of shape (rows, columns)."""
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 2 or len(values) == 0:
            raise ValueError(f"Scaler.fit needs a non-empty (rows, columns) array; got shape {values.shape}")
        if self.kind == "standard":
            shift, scale = values.mean(axis=0), values.std(axis=0)
        elif self.kind == "minmax":
            shift, scale = values.min(axis=0), values.max(axis=0) - values.min(axis=0)
        else:
            raise ValueError(f"unknown scaler {self.kind!r}; valid: standard, minmax")
        # A constant column would divide by zero; scale 1 keeps it finite and invertible.
        self.shift, self.scale = shift, np.where(scale > 0, scale, 1.0)
        return self

    def _check(self) -> tuple[np.ndarray, np.ndarray]:
        if self.shift is None or self.scale is None:
            raise RuntimeError("Scaler is not fitted: call fit() first")
        return self.shift, self.scale

    def transform(self, values: np.ndarray) -> np.ndarray:
        shift, scale = self._check()
        return (np.asarray(values, dtype=np.float64) - shift) / scale

    def transform_column(self, values: np.ndarray, column: int = 0) -> np.ndarray:
        """Scale one column only (e.g. the target among several features)."""
        shift, scale = self._check()
        return (np.asarray(values, dtype=np.float64) - shift[column]) / scale[column]

    def inverse_column(self, values: np.ndarray, column: int = 0) -> np.ndarray:
        """Invert one column only (e.g. the target among several features)."""
        shift, scale = self._check()
        return np.asarray(values, dtype=np.float64) * scale[column] + shift[column]

    def to_dict(self) -> dict:
        shift, scale = self._check()
        return {"kind": self.kind, "shift": shift.tolist(), "scale": scale.tolist()}

    @classmethod
    def from_dict(cls, data: dict) -> Scaler:
        return cls(
            kind=str(data["kind"]),
            shift=np.asarray(data["shift"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
        )


def make_windows(values: np.ndarray, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut every window of ``seq_len`` rows and the row that follows it.

    Args:
        values: (rows, features) array; column 0 is the target.
        seq_len: steps per window.

    Returns:
        ``x`` of shape (rows - seq_len, seq_len, features) and ``next_rows`` of shape
        (rows - seq_len, features): window ``k`` covers rows k .. k+seq_len-1 and
        ``next_rows[k]`` is row k+seq_len. A view-based copy: no Python loop per window.
    """
    values = np.asarray(values)
    if values.ndim != 2:
        raise ValueError(f"values must be (rows, features); got shape {values.shape}")
    if not 1 <= seq_len < len(values):
        raise ValueError(f"seq_len must be in [1, {len(values) - 1}] for {len(values)} rows; got {seq_len}")
    # sliding_window_view gives (rows - seq_len + 1, features, seq_len); drop the last
    # window, which has no following row, and put time before features.
    windows = np.lib.stride_tricks.sliding_window_view(values, seq_len, axis=0)[:-1]
    return np.ascontiguousarray(windows.transpose(0, 2, 1)), values[seq_len:]


def split_sizes(n_rows: int, val_fraction: float, test_fraction: float) -> tuple[int, int, int]:
    """Rows in the chronological train | validation | test parts (they sum to ``n_rows``)."""
    n_test = int(round(n_rows * test_fraction))
    n_val = int(round(n_rows * val_fraction))
    return n_rows - n_val - n_test, n_val, n_test
