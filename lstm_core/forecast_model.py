"""A recurrent forecaster that starts at the best linear forecast and learns only the residual.

    window of seq_len rows before target row t, per step r (t-seq_len .. t-1):
        [ standardised change y[r] - y[r-1],  standardised level y[r],  calendar of row r+1 (sin, cos) ]
      -> linear skip: ridge AR on the last ``lags`` standardised changes (closed form, frozen)
       + recurrent net with a zero head (it adds nothing until training finds something)
      -> standardised next change  -> y[t-1] + change   (real units)

A zero head makes the untrained model the linear autoregression (or the naive "next = last"
forecast when the skip is off), up to float32 rounding, so training can only move it from the best cheap
forecast, and early stopping on the validation part keeps only what helps there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import torch
from torch import nn

from lstm_core.baselines import Baselines
from lstm_core.config import ModelConfig, TrainConfig
from lstm_core.forecast_data import ForecastData
from lstm_core.forecast_inputs import InputSpec, fit_input_spec, is_whole, window_inputs
from lstm_core.frequency import Frequency
from lstm_core.linear_ar import LinearAR
from lstm_core.models import build_model
from lstm_core.progress import Callback, EpochProgress, History
from lstm_core.tasks import REGRESSION
from lstm_core.training import fit, predict, seeded

START_EVIDENCE = 2.5  # t-statistic the linear AR's out-of-sample gain over naive needs to be the start,
START_SKILL = (1.5, 0.2)  # or this t with this share of naive's squared error removed (see trusts_ar)
KEEP_EVIDENCE = 2.0  # t-statistic the trained net's validation gain over its start needs to be kept
MIN_VAL_WINDOWS = 50  # fewer validation windows cannot tell a real gain from luck: no training
# (it was 20 until three held-out quarterly series of 203 rows, with 20 validation windows, kept nets
# that lost to the linear AR on the test part, one of them to naive too: the best epoch is picked on
# those same windows, so on few of them its gain is mostly luck; bench/bench_forecast.py --heldout)


class ResidualForecaster(nn.Module):
    """A frozen linear skip (ridge AR on changes, or off) plus a recurrent net that learns the residual."""

    def __init__(self, net: nn.Module, spec: InputSpec, ar: LinearAR | None) -> None:
        super().__init__()
        self.net, self.spec = net, spec
        # the data's sizes, as every registry model carries them (run records read them)
        self.input_size, self.output_size, self.seq_len = spec.input_size, 1, spec.seq_len
        self.lags = ar.lags if ar is not None else 0
        coef = ar.coef if ar is not None else np.zeros(0)
        # the AR was fitted on the same standardised changes, so its weights apply as they are
        self.register_buffer("ar_coef", torch.tensor(coef, dtype=torch.float32))
        # without the AR the skip is "no change" (naive), which is -center in standardised changes
        intercept = ar.intercept if ar is not None else -spec.center / spec.scale
        # the AR's level term reads x[:, -1, 1], the last level standardised by the spec: re-standardise
        level = ar.level_coef if ar is not None else 0.0
        ratio = spec.level_scale / ar.level_scale if ar is not None else 1.0
        offset = (spec.level_shift - ar.level_shift) / ar.level_scale if ar is not None else 0.0
        intercept += level * offset
        self.register_buffer("ar_intercept", torch.tensor(intercept, dtype=torch.float32))
        self.register_buffer("ar_level", torch.tensor(level * ratio, dtype=torch.float32))
        with torch.no_grad():  # a zero head: the untrained model is exactly the skip
            self.net.head.weight.zero_()
            self.net.head.bias.zero_()

    def recipe(self) -> dict:
        """What a run file needs besides the weights to rebuild this model (see ``from_recipe``)."""
        return {"kind": "residual", "lags": self.lags, "spec": self.spec.to_dict()}

    @classmethod
    def from_recipe(cls, net: nn.Module, recipe: dict) -> ResidualForecaster:
        """An empty model of the saved shape around ``net``; ``load_state_dict`` then fills it.

        Raises:
            ValueError: a recipe that is not one ``recipe`` wrote.
        """
        lags = recipe.get("lags")
        if recipe.get("kind") != "residual" or not is_whole(lags) or lags < 0:
            raise ValueError("the model recipe is not that of a residual forecaster")
        spec = InputSpec.from_dict(recipe.get("spec") or {})
        if lags > spec.seq_len:
            raise ValueError(f"the linear part reads {lags} lags but a window holds {spec.seq_len} rows")
        model = cls(net, spec, None)
        model.lags = lags
        model.ar_coef = torch.zeros(lags)  # the saved coefficients replace it on loading
        return model

    @property
    def learned(self) -> bool:
        """Whether the recurrent part adds anything (its head is not zero)."""
        head = self.net.head
        return bool(head.weight.detach().abs().sum() > 0 or head.bias.detach().abs().sum() > 0)

    def skip(self, x: torch.Tensor) -> torch.Tensor:
        """The linear part alone: (batch, seq_len, F) -> (batch, 1) standardised next change."""
        if self.lags == 0:
            return self.ar_intercept.expand(len(x), 1)
        out = x[:, -self.lags :, 0] @ self.ar_coef + self.ar_level * x[:, -1, 1] + self.ar_intercept
        return out[:, None]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (batch, seq_len, 2 + calendar) -> (batch, 1) standardised next change
        return self.skip(x) + self.net(x)

    def to_values(self, out: torch.Tensor | np.ndarray, last: np.ndarray) -> np.ndarray:
        """Standardised changes -> next values in real units, given each window's last value."""
        out = np.asarray(out, dtype=np.float64).reshape(-1)
        return np.asarray(last, dtype=np.float64) + out * self.spec.scale + self.spec.center

    def predict_rows(self, values: np.ndarray, dates: pd.DatetimeIndex, rows: np.ndarray) -> np.ndarray:
        """One-step predictions of ``rows`` in real units: (len(rows),)."""
        x = window_inputs(values, dates, rows, self.spec)
        return self.to_values(predict(self, x).numpy(), np.asarray(values, dtype=np.float64)[rows - 1])

    @torch.no_grad()
    def forecast(self, values: np.ndarray, dates: pd.DatetimeIndex, origins: np.ndarray, horizon: int,
                 future_dates: pd.DatetimeIndex | None = None) -> np.ndarray:
        """Recursive forecasts 1..``horizon`` rows after each origin (its last known row).

        Args:
            values, dates: the series in real units and its timestamps (rows,).
            origins: last known row of each forecast, each >= seq_len.
            horizon: steps ahead.
            future_dates: timestamps after the last row, when forecasts run past the data.

        Returns:
            (len(origins), horizon) forecasts in real units; each step's forecast is fed back.
        """
        values = np.asarray(values, dtype=np.float64)
        origins = np.asarray(origins, dtype=np.int64)
        if len(origins) and origins.min() < self.spec.seq_len:
            raise ValueError(f"each origin needs {self.spec.seq_len} rows before it; got {origins.min()}")
        all_dates = pd.DatetimeIndex(dates)
        if future_dates is not None:
            all_dates = all_dates.append(pd.DatetimeIndex(future_dates))
        cal = self.spec.calendar(all_dates)
        seq = self.spec.seq_len
        cal_rows = origins[:, None] - seq + 1 + np.arange(seq + horizon)  # rows o-seq+1 .. o+horizon
        if cal_rows.max(initial=0) >= len(cal):
            raise ValueError("forecasts past the data need future_dates for the calendar features")
        cal_win = cal[cal_rows]
        buf = values[origins[:, None] - seq + np.arange(seq + 1)]  # rows o-seq .. o
        out = np.empty((len(origins), horizon))
        was_training = self.training
        self.eval()
        try:
            for h in range(horizon):
                x = torch.from_numpy(self.spec.step_features(buf[:, -seq - 1 :], cal_win[:, h : h + seq]))
                nxt = self.to_values(self(x).numpy(), buf[:, -1])
                out[:, h] = nxt
                buf = np.concatenate([buf[:, 1:], nxt[:, None]], axis=1)
        finally:
            self.train(was_training)
        return out


def paired_gain(actual: np.ndarray, better: np.ndarray, worse: np.ndarray) -> float:
    """t-statistic of the drop in squared error from ``worse`` to ``better`` (0 when undefined)."""
    gain = (actual - worse) ** 2 - (actual - better) ** 2
    sd = gain.std(ddof=1) if len(gain) > 1 else 0.0
    return float(gain.mean() / (sd / np.sqrt(len(gain)))) if sd > 0 else 0.0


class Preview(Callback):
    """After the first epoch and every ``every`` epochs, hands (epoch, ``predict()``) to ``sink``:
    the current predictions in real units, for a live fit chart."""

    def __init__(self, predict: Callable[[], np.ndarray], every: int,
                 sink: Callable[[int, np.ndarray], None]) -> None:
        self.predict, self.every, self.sink = predict, every, sink

    def on_epoch_end(self, progress: EpochProgress) -> None:
        if progress.epoch == 1 or progress.epoch % self.every == 0:
            self.sink(progress.epoch, self.predict())


def series_predictions(model: ResidualForecaster, data: ForecastData) -> np.ndarray:
    """One-step predictions of every window of ``data`` in real units: (windows,)."""
    values = data.series.to_numpy(dtype=np.float64)
    model_device = next(model.parameters()).device
    cpu = model.to("cpu")
    try:
        rows = np.arange(data.cfg.seq_len, len(values))
        return cpu.predict_rows(values, pd.DatetimeIndex(data.series.index), rows)
    finally:
        model.to(model_device)


def trusts_ar(ar: LinearAR) -> bool:
    """Whether the linear AR's rolling-origin gain over naive is reliable enough to start from it.

    A t-statistic over ``START_EVIDENCE``, or a smaller one (``START_SKILL[0]``) with a large gain
    (``START_SKILL[1]`` of naive's squared error): on short series with a few large shocks (quarterly
    unemployment) the t-statistic of squared-error differences is weak although the AR removes a
    third of the error, while on random walks the gain stays small (at most 13 % on 36 slices of the
    bundled price histories; see bench/bench_forecast.py).
    """
    floor, skill = START_SKILL
    return ar.evidence > START_EVIDENCE or (ar.evidence > floor and ar.skill >= skill)


def train_residual(
    data: ForecastData,
    freq: Frequency | None,
    baselines: Baselines,
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    callbacks: Sequence[object] = (),
    stop: threading.Event | None = None,
    preview: Callable[[int, np.ndarray], None] | None = None,
    preview_every: int = 5,
) -> tuple[ResidualForecaster, History, list[str]]:
    """Build the residual forecaster on ``data``'s split, train its recurrent part, keep what helps.

    Returns:
        The model (on the CPU), what ``fit`` observed (no epochs when the validation part is too
        short to train on) and sentences saying what was started from and what was kept.
    """
    if data.cfg.features:
        raise ValueError("the residual forecaster reads the target only: clear the extra feature "
                         "columns, or use the direct method")
    seq_len, values = data.cfg.seq_len, data.series.to_numpy(dtype=np.float64)
    dates = pd.DatetimeIndex(data.series.index)
    tr, va = data.parts["train"], data.parts["val"]
    n_train, n_val = tr.stop + seq_len, va.stop - va.start
    use_ar = trusts_ar(baselines.ar)
    start = "linear autoregression" if use_ar else "naive forecast"
    notes = [_start_note(baselines.ar, use_ar)]
    calendar = freq if freq is not None and freq.kind != "irregular" else None
    spec = fit_input_spec(values, n_train, seq_len, calendar)
    with seeded(train_cfg.seed):
        net = build_model(model_cfg, input_size=spec.input_size, output_size=1, seq_len=seq_len)
    model = ResidualForecaster(net, spec, baselines.ar if use_ar else None)
    if n_val < MIN_VAL_WINDOWS:
        notes.append(f"The validation part has {n_val} windows, too few to tell a real gain from luck "
                     f"(needs {MIN_VAL_WINDOWS}): the recurrent part is not trained and the forecast is the "
                     f"{start}.")
        return model, History(message="not trained: validation part too short"), notes
    rows = np.arange(seq_len, len(values))
    x = window_inputs(values, dates, rows, spec)
    change = (values[rows] - values[rows - 1] - spec.center) / spec.scale
    y = torch.tensor(change, dtype=torch.float32)[:, None]
    extra = [Preview(lambda: series_predictions(model, data), preview_every, preview)] if preview else []
    history = fit(model, (x[tr], y[tr]), (x[va], y[va]), train_cfg, REGRESSION, [*callbacks, *extra], stop)
    model.to("cpu")
    last, actual = values[rows[va] - 1], values[rows[va]]
    notes.append(_keep_if_better(model, x[va], last, actual, start))
    return model, history, notes


def _start_note(ar: LinearAR, use_ar: bool) -> str:
    if not ar.cv_rows:
        return ("Starts from the naive forecast: the training part is too short to test the linear "
                "autoregression out of sample.")
    share = f"{ar.skill:.0%}" if 0.01 <= ar.skill <= 0.99 else f"{ar.skill:.1%}"  # never a rounded 100 %
    gain = f"t = {ar.evidence:.1f}, {share} of naive's squared error removed"
    if use_ar:
        changes = "1 lagged change" if ar.lags == 1 else f"{ar.lags} lagged changes"
        return (f"Starts from the linear autoregression ({changes}; its out-of-sample gain over naive: "
                f"{gain}).")
    return (f"Starts from the naive forecast: the linear autoregression showed no reliable gain over it "
            f"({gain}; needs t > {START_EVIDENCE}, or t > {START_SKILL[0]} with {START_SKILL[1]:.0%} "
            "removed).")


def _keep_if_better(model: ResidualForecaster, x_val: torch.Tensor, last: np.ndarray, actual: np.ndarray,
                    start: str) -> str:
    """Keep the trained recurrent part if it beats the skip on the validation windows, else zero its
    head (the forecast is then the skip's); the sentence that says which."""
    with torch.no_grad():
        out = predict(model, x_val).numpy()
        skip = model.skip(x_val).numpy()
    t = paired_gain(actual, model.to_values(out, last), model.to_values(skip, last))
    if t > KEEP_EVIDENCE:
        return f"The recurrent part improves on the {start} on the validation part (t = {t:.1f}); kept."
    with torch.no_grad():
        model.net.head.weight.zero_()
        model.net.head.bias.zero_()
    return (f"Training found no reliable gain over the {start} on the validation part (t = {t:.1f}, needs "
            f"> {KEEP_EVIDENCE}): the recurrent part is switched off (zero head), so the forecast is the "
            f"{start}.")
