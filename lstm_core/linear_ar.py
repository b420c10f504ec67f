"""The linear autoregression baseline: a ridge regression of the next change on the last changes.

Fitted in closed form on the training rows; which lags it reads, its penalty and whether the last
level enters too are picked by rolling-origin errors, whose gain over naive is kept as evidence
(``LinearAR.evidence`` and ``.skill``) for the residual forecaster's choice of start. Values are the
target series in real units, ``values`` of shape (rows,).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

RIDGE_ALPHAS = (1e-3, 1e-2, 1e-1, 1.0, 10.0)  # penalty per training row
AR_LAGS = (1, 2, 3, 5, 8, 13, 21, 34, 55)  # lag counts tried (up to the window's seq_len - 1)
CV_FOLDS = 4  # rolling-origin blocks over the second half of the training part and the validation part


def series_values(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if len(values) < 3 or not np.isfinite(values).all():
        raise ValueError(f"baselines need at least 3 finite values; got {len(values)}")
    return values


@dataclass(frozen=True)
class LinearAR:
    """Ridge regression of the next change on the last ``lags`` changes (standardised)."""

    lags: int  # changes read, oldest first
    coef: np.ndarray  # (lags,) weights on standardised changes
    intercept: float  # standardised units
    center: float  # mean change on the training part (real units)
    scale: float  # std of the changes on the training part (real units)
    alpha: float  # ridge penalty per training row
    evidence: float = 0.0  # t-statistic of its out-of-sample gain over naive (rolling origin); 0: none
    cv_rows: int = 0  # out-of-sample predictions behind ``evidence``
    skill: float = 0.0  # 1 - its rolling-origin MSE / naive's on those predictions; 0: none
    level_coef: float = 0.0  # weight on the last level, standardised (mean reversion); 0: not used
    level_shift: float = 0.0  # mean level on the training part
    level_scale: float = 1.0  # std of the levels on the training part

    def predict_change(self, changes: np.ndarray, last: np.ndarray | None = None) -> np.ndarray:
        """Next change in real units from the last ``lags`` changes (N, lags) and last values (N,)."""
        z = (np.asarray(changes, dtype=np.float64) - self.center) / self.scale
        out = z @ self.coef + self.intercept
        if self.level_coef:
            if last is None:
                raise ValueError("this autoregression reads the last level too: pass last")
            level = (np.asarray(last, dtype=np.float64) - self.level_shift) / self.level_scale
            out = out + self.level_coef * level
        return out * self.scale + self.center


def lagged_changes(values: np.ndarray, rows: np.ndarray, lags: int) -> np.ndarray:
    """The ``lags`` changes before each row ``t`` (``y[t-lags] - y[t-lags-1]`` .. ``y[t-1] - y[t-2]``).

    Returns:
        (len(rows), lags), real units; every row needs ``t > lags``.
    """
    d = np.diff(values)  # d[j] = y[j+1] - y[j]
    rows = np.asarray(rows, dtype=np.int64)
    return np.stack([d[rows - lags - 1 + i] for i in range(lags)], axis=1)


def _ridge(x: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, float]:
    xm, ym = x.mean(axis=0), y.mean()
    xc = x - xm
    coef = np.linalg.solve(xc.T @ xc + alpha * len(x) * np.eye(x.shape[1]), xc.T @ (y - ym))
    return coef, float(ym - xm @ coef)


def _columns(lag_set: tuple[int, ...], top: int) -> np.ndarray:
    """Columns of ``lagged_changes(..., top)`` (oldest first) holding the changes ``lag_set`` steps back."""
    return np.array([top - j for j in sorted(lag_set, reverse=True)], dtype=np.int64)


def _fit(values: np.ndarray, n: int, lag_set: tuple[int, ...], alpha: float, level: bool = False) -> LinearAR:
    """Ridge AR on the rows before ``n`` reading the changes ``lag_set`` steps back (and the level)."""
    d, train = np.diff(values[:n]), values[:n]
    center, scale = float(d.mean()), float(d.std()) or 1.0
    shift, spread = float(train.mean()), float(train.std()) or 1.0
    lags = max(lag_set)
    rows, cols = np.arange(lags + 1, n), _columns(lag_set, lags)
    z = ((lagged_changes(values, rows, lags) - center) / scale)[:, cols]
    if level:
        z = np.concatenate([z, ((values[rows - 1] - shift) / spread)[:, None]], axis=1)
    coef, intercept = _ridge(z, (values[rows] - values[rows - 1] - center) / scale, alpha)
    full = np.zeros(lags)
    full[cols] = coef[: len(cols)]
    level_coef = float(coef[-1]) if level else 0.0
    return LinearAR(lags, full, intercept, center, scale, alpha, level_coef=level_coef, level_shift=shift,
                    level_scale=spread)


def _lag_sets(max_lags: int, season: int | None) -> list[tuple[int, ...]]:
    """The lag sets tried: the last k changes for k in ``AR_LAGS``, and with a season m a few recent
    changes plus those one and two seasons back (m-1, m, m+1, 2m-1, 2m, 2m+1), as a seasonal ARIMA reads."""
    sets = {tuple(range(1, k + 1)) for k in (*(k for k in AR_LAGS if k <= max_lags), max_lags)}
    if season is not None and 2 <= season and season + 1 <= max_lags:
        back = [j for m in (season, 2 * season) for j in (m - 1, m, m + 1) if j <= max_lags]
        sets |= {tuple(sorted({*range(1, k + 1), *back})) for k in (1, 2, 3, 5) if k <= max_lags}
    return sorted(sets, key=lambda t: (len(t), t))


def _cv_errors(
    values: np.ndarray, stops: np.ndarray, lag_sets: list[tuple[int, ...]]
) -> dict[tuple, np.ndarray]:
    """Out-of-sample errors of every (lag set, alpha, level) refit at each block start, on that block.

    One design matrix with the most lags and the level serves every option: an option is a subset
    of its columns, so each fold costs one Gram matrix and a small solve per option.
    """
    top = max(max(t) for t in lag_sets)
    errors: dict[tuple, list[np.ndarray]] = {}
    for b0, b1 in zip(stops[:-1], stops[1:], strict=True):
        d, train = np.diff(values[:b0]), values[:b0]
        center, scale = float(d.mean()), float(d.std()) or 1.0
        shift, spread = float(train.mean()), float(train.std()) or 1.0

        def design(rows: np.ndarray, c: float = center, s: float = scale, m: float = shift,
                   sd: float = spread) -> np.ndarray:
            z = (lagged_changes(values, rows, top) - c) / s
            return np.concatenate([z, ((values[rows - 1] - m) / sd)[:, None]], axis=1)

        fit_rows, block = np.arange(top + 1, b0), np.arange(b0, b1)
        x, y = design(fit_rows), (values[fit_rows] - values[fit_rows - 1] - center) / scale
        xm, ym = x.mean(axis=0), y.mean()
        gram, cross = (x - xm).T @ (x - xm), (x - xm).T @ (y - ym)
        xb = design(block) - xm
        truth = (values[block] - values[block - 1] - center) / scale - ym
        for lag_set in lag_sets:
            for level in (False, True):
                cols = np.r_[_columns(lag_set, top), [top] if level else []].astype(np.int64)
                g, c = gram[np.ix_(cols, cols)], cross[cols]
                for alpha in RIDGE_ALPHAS:
                    coef = np.linalg.solve(g + alpha * len(x) * np.eye(len(cols)), c)
                    err = (truth - xb[:, cols] @ coef) * scale
                    errors.setdefault((lag_set, alpha, level), []).append(err)
    return {key: np.concatenate(parts) for key, parts in errors.items()}


def fit_linear_ar(
    values: np.ndarray, n_train: int, lags: int, n_val: int = 0, season: int | None = None
) -> LinearAR:
    """Fit the linear autoregression on the rows before ``n_train`` in closed form.

    Which lagged changes it reads (the last k for k in ``AR_LAGS``, at most ``lags``; with a
    ``season``, also the changes one and two seasons back), the penalty (``RIDGE_ALPHAS``) and
    whether the last level enters too (mean reversion, as in an ARIMA without differencing) are
    picked by rolling-origin errors: refit on the rows before each of ``CV_FOLDS`` blocks that cover
    the second half of the training part and the validation part, predict the block. The paired
    t-statistic of those errors against naive's is kept as ``evidence``. Too short for that, it
    uses ``min(lags, 3)`` lags and a penalty of 0.1 with no evidence.

    Raises:
        ValueError: with fewer than 8 training rows or ``lags`` < 1.
    """
    values = series_values(values)
    if lags < 1:
        raise ValueError(f"lags must be >= 1; got {lags}")
    if n_train < 8:
        raise ValueError(f"the linear autoregression needs at least 8 training rows; got {n_train}")
    first = n_train // 2
    max_lags = min(lags, (first - 2) // 3)  # at least 3 rows per coefficient in the first refit
    end = min(n_train + n_val, len(values))
    if max_lags < 1 or end - first < 2 * CV_FOLDS:
        few = max(1, min(lags, 3, (n_train - 2) // 3))
        return _fit(values, n_train, tuple(range(1, few + 1)), 0.1)
    stops = np.linspace(first, end, CV_FOLDS + 1).astype(np.int64)
    scores = _cv_errors(values, stops, _lag_sets(max_lags, season))
    best = min(scores, key=lambda key: float(np.mean(scores[key] ** 2)))
    rows = np.arange(first, end)
    gain = (values[rows] - values[rows - 1]) ** 2 - scores[best] ** 2
    sd = gain.std(ddof=1)
    evidence = float(gain.mean() / (sd / np.sqrt(len(gain)))) if sd > 0 else 0.0
    naive_mse = float(np.mean((values[rows] - values[rows - 1]) ** 2))
    skill = float(gain.mean() / naive_mse) if naive_mse > 0 else 0.0
    return replace(_fit(values, n_train, *best), evidence=evidence, cv_rows=len(gain), skill=skill)


def ar_forecast(values: np.ndarray, origins: np.ndarray, horizon: int, ar: LinearAR) -> np.ndarray:
    """The linear AR's recursive forecasts 1..``horizon`` steps after each origin: (origins, horizon)."""
    origins = np.asarray(origins, dtype=np.int64)
    if len(origins) and origins.min() < ar.lags:
        raise ValueError(f"each origin needs {ar.lags} rows before it; got origin {origins.min()}")
    changes = lagged_changes(values, origins + 1, ar.lags)
    level = values[origins].astype(np.float64)
    out = np.empty((len(origins), horizon))
    for h in range(horizon):
        step = ar.predict_change(changes, level)
        level = level + step
        out[:, h] = level
        changes = np.concatenate([changes[:, 1:], step[:, None]], axis=1)
    return out
