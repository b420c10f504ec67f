"""How sure a verdict is: an interval on a forecaster's skill over a baseline (pure numpy).

A test part of 20 to 500 windows gives one skill figure, ``1 - RMSE_model / RMSE_baseline``.
Whether it is luck depends on how much the paired errors vary and on how they are correlated
in time (a forecaster's errors come in runs). So the skill gets:

- a moving-block bootstrap interval: blocks of consecutive test windows are drawn with
  replacement, keeping each window's model and baseline errors paired, and the skill is
  recomputed on each resample; the interval is the central ``level`` share of those skills;
- a Diebold-Mariano test of equal mean squared error, with a Newey-West (Bartlett) variance of
  the loss differential ``d_t = e_model,t^2 - e_baseline,t^2``.

An interval that holds zero means "no clear difference" on these windows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

Direction = Literal["better", "worse", "no clear difference"]


@dataclass(frozen=True)
class SkillInterval:
    """The skill of a model over a baseline on ``n_windows`` test windows, with its uncertainty."""

    skill: float  # 1 - RMSE_model / RMSE_baseline
    low: float  # bootstrap interval of the skill, at ``level``
    high: float
    level: float
    n_windows: int
    block: int  # windows per bootstrap block
    dm_stat: float  # Diebold-Mariano statistic (negative: the model's squared errors are smaller)
    p_value: float  # two-sided, normal approximation

    @property
    def direction(self) -> Direction:
        """"better" / "worse" when the interval lies wholly above / below zero."""
        if self.low > 0:
            return "better"
        if self.high < 0:
            return "worse"
        return "no clear difference"

    @property
    def clear(self) -> bool:
        return self.direction != "no clear difference"


def _checked(actual: object, model: object, baseline: object) -> tuple[np.ndarray, np.ndarray]:
    a, m, b = (np.asarray(v, dtype=np.float64).ravel() for v in (actual, model, baseline))
    if not len(a) == len(m) == len(b):
        raise ValueError("actual, model and baseline must have the same length; "
                         f"got {len(a)}, {len(m)}, {len(b)}")
    if len(a) < 2:
        raise ValueError(f"a skill interval needs at least 2 test windows; got {len(a)}")
    if not (np.isfinite(a).all() and np.isfinite(m).all() and np.isfinite(b).all()):
        raise ValueError("actual, model and baseline must be finite numbers")
    return (m - a) ** 2, (b - a) ** 2


def default_block(n: int) -> int:
    """Windows per block: about n^(1/3) (the usual rate for a moving-block bootstrap), at least 1."""
    return max(1, round(n ** (1 / 3)))


def diebold_mariano(model_sq: np.ndarray, baseline_sq: np.ndarray,
                    lags: int | None = None) -> tuple[float, float]:
    """(statistic, two-sided p-value) for equal mean squared error; Newey-West variance with ``lags``
    (default ``default_block(n)``). Identical errors give (0, 1)."""
    d = model_sq - baseline_sq
    n = len(d)
    lags = default_block(n) if lags is None else lags
    centred = d - d.mean()
    var = float(centred @ centred) / n
    for k in range(1, min(lags, n - 1) + 1):
        var += 2 * (1 - k / (lags + 1)) * float(centred[k:] @ centred[:-k]) / n
    if var <= 0 or not math.isfinite(var):
        return (0.0, 1.0) if abs(d.mean()) == 0 else (math.copysign(math.inf, d.mean()), 0.0)
    stat = float(d.mean()) / math.sqrt(var / n)
    return stat, math.erfc(abs(stat) / math.sqrt(2))


def skill_interval(actual: object, model: object, baseline: object, *, level: float = 0.95,
                   n_boot: int = 2000, block: int | None = None, seed: int = 0) -> SkillInterval:
    """The skill of ``model`` over ``baseline`` on the same test windows, with a block-bootstrap
    interval and a Diebold-Mariano test.

    Args:
        actual, model, baseline: (n,) values per test window, in the same (real) units.
        level: the interval's coverage, in (0, 1).
        n_boot: bootstrap resamples.
        block: windows per block (default ``default_block(n)``), 1 to n.
        seed: the resampling's seed (the same inputs give the same interval).

    Raises:
        ValueError: different lengths, fewer than 2 windows, non-finite values, a baseline with no
            error at all, or a bad ``level`` / ``n_boot`` / ``block``.
    """
    model_sq, base_sq = _checked(actual, model, baseline)
    n = len(model_sq)
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1); got {level!r}")
    if n_boot < 100:
        raise ValueError(f"n_boot must be at least 100; got {n_boot!r}")
    block = default_block(n) if block is None else block
    if not 1 <= block <= n:
        raise ValueError(f"block must be a whole number from 1 to {n} (the test windows); got {block!r}")
    if base_sq.sum() == 0:
        raise ValueError("the baseline has no error on these windows: a skill relative to it is undefined")
    skill = 1 - math.sqrt(model_sq.sum() / base_sq.sum())
    rng = np.random.default_rng(seed)
    n_blocks = -(-n // block)
    starts = rng.integers(0, n - block + 1, size=(n_boot, n_blocks))
    idx = (starts[:, :, None] + np.arange(block)).reshape(n_boot, -1)[:, :n]  # (n_boot, n)
    m, b = model_sq[idx].sum(axis=1), base_sq[idx].sum(axis=1)
    keep = b > 0
    skills = 1 - np.sqrt(m[keep] / b[keep])
    tail = (1 - level) / 2
    low, high = np.quantile(skills, [tail, 1 - tail])
    stat, p = diebold_mariano(model_sq, base_sq, block)
    return SkillInterval(skill, float(low), float(high), level, n, block, stat, p)
