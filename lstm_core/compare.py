"""Train several recurrent models on the same memory task and compare them; sweep over T.

Every model sees the same sequences, starts from the same seed and gets the same budget
(``TrainConfig.epochs``), so the only difference is the cell::

    compare_models("temporal-order", MemoryTaskConfig(length=100), model_choices("RNN,LSTM,GRU"))
      -> CompareResult: per run the trained model, History, test metric, parameters, seconds
and ``lstm_core.sweep.sweep`` repeats that over a list of lengths T. Sizes for an "equal
parameters" comparison come from ``equal_parameter_sizes``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from torch import nn

from lstm_core.config import ModelConfig, TrainConfig
from lstm_core.memory_tasks import MemoryTaskConfig, MemoryTaskData, generate_task, memory_task
from lstm_core.models import build_model, count_parameters, parameter_count
from lstm_core.progress import History
from lstm_core.tasks import CLASSIFICATION, REGRESSION
from lstm_core.training import evaluate, fit, seeded


@dataclass(frozen=True, slots=True)
class CompareDefaults:
    """The Compare page's defaults, tuned so that the headline shows on a CPU in about a minute per model.

    Tuned on temporal order and the adding problem at T = 100, seed 0, one torch thread, on this
    shared 2-core machine; checked on seed 1 (bench/bench_compare.py; CPU seconds of one thread):
    temporal order T = 100: RNN 24-27 % (chance 25 %), LSTM 100 % (5-7 s), GRU 100 % (20-22 s);
    adding T = 100: LSTM MSE 0.003x the predict-the-mean baseline, GRU below 0.001x, RNN 1.0x.
    The GRU learns temporal order at T = 100 in epoch 8-9 at lr 1e-2 (about 18 at 3e-3), hence
    lr 1e-2; at T = 150 it learned within 12 epochs on seed 0 but only in epoch 13 on seed 1,
    hence 15 epochs. The sweep stops at T = 150: at T = 200 the LSTM (forget-gate bias 1, 2, 3
    or 5; lr 3e-3 to 1e-2) stayed at chance for 21 epochs and learned in epoch 22, the GRU
    within 12, so with this budget T = 200 shows the LSTM failing, which is not the general rule.
    """

    hidden_size: int = 32  # units: the measurements used 32
    num_layers: int = 1  # one layer: depth adds time, not memory across steps
    forget_bias: float = 3.0  # LSTM forget gates start at sigmoid(3) = 0.95: open, so memory lasts
    lr: float = 1e-2  # Adam; at 3e-3 the GRU needs about twice the epochs on temporal order
    batch_size: int = 64
    epochs: int = 15  # the same budget for every model
    grad_clip: float = 1.0  # a plain RNN's gradients explode without it
    n_train: int = 8000  # training sequences (the measurements used 8,000)
    n_val: int = 500  # picks the best epoch
    n_test: int = 1000  # the reported metric
    length: int = 100  # T of a single comparison
    lengths: tuple[int, ...] = (10, 20, 50, 100, 150)  # the sweep's T (see above for T = 200)
    models: tuple[str, ...] = ("RNN", "LSTM", "GRU")  # what the page ticks at first
    sweep_models: tuple[str, ...] = ("RNN", "LSTM", "GRU")

    def train_config(self, seed: int = 0) -> TrainConfig:
        return TrainConfig(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, optimizer="adam",
                           grad_clip=self.grad_clip, seed=seed, device="cpu", log_every=10)

    def data_config(self, length: int | None = None, seed: int = 0) -> MemoryTaskConfig:
        return MemoryTaskConfig(length=self.length if length is None else length, n_train=self.n_train,
                                n_val=self.n_val, n_test=self.n_test, seed=seed)


DEFAULTS = CompareDefaults()

# The choices a page or the command line offers: name -> (label, how to change the base config).
MODEL_CHOICES: dict[str, str] = {
    "RNN": "plain RNN (tanh)",
    "LSTM": "LSTM, forget-gate bias from the settings",
    "LSTM-default": "LSTM with torch's default initialisation (forget-gate bias about 0)",
    "GRU": "GRU",
    "BiLSTM": "bidirectional LSTM",
    "HandRNN": "seed 004's hand-written i2h/i2o RNN",
}


def model_config(
    name: str, defaults: CompareDefaults = DEFAULTS, hidden_size: int | None = None
) -> ModelConfig:
    """The ModelConfig behind a choice of ``MODEL_CHOICES``.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
    """
    if name not in MODEL_CHOICES:
        raise ValueError(f"unknown model {name!r}; valid: {', '.join(MODEL_CHOICES)}")
    base = ModelConfig(cell="LSTM", hidden_size=hidden_size or defaults.hidden_size,
                       num_layers=defaults.num_layers, forget_bias=defaults.forget_bias)
    if name == "LSTM-default":
        return replace(base, forget_bias=None)
    if name == "BiLSTM":
        return replace(base, bidirectional=True)
    if name == "HandRNN":
        return replace(base, cell="HandRNN", num_layers=1, forget_bias=None)
    return base if name == "LSTM" else replace(base, cell=name, forget_bias=None)  # an LSTM-only setting


def model_choices(
    names: str | Sequence[str], defaults: CompareDefaults = DEFAULTS
) -> list[tuple[str, ModelConfig]]:
    """(label, ModelConfig) for each name of a comma-separated string or a list.

    Raises:
        ValueError: for an empty list, an unknown name or a name given twice.
    """
    parts = names.split(",") if isinstance(names, str) else [str(n) for n in names]
    items = [n.strip() for n in parts if n.strip()]
    if not items:
        raise ValueError(f"choose at least one model; valid: {', '.join(MODEL_CHOICES)}")
    twice = sorted({n for n in items if items.count(n) > 1})
    if twice:
        raise ValueError(f"model {', '.join(twice)} is listed twice")
    return [(n, model_config(n, defaults)) for n in items]


def equal_parameter_sizes(
    cfgs: Sequence[ModelConfig], budget: int, *, input_size: int, output_size: int, seq_len: int | None = None
) -> list[ModelConfig]:
    """Each config with the hidden size whose parameter count is closest to ``budget``.

    Counts come from ``count_parameters`` (the model itself, built on the meta device), found
    by bisection since the count grows with the hidden size. Above about 40 units the nearest
    size is always within 5 % of the budget.

    Raises:
        ValueError: for a budget below 1.
    """
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise ValueError(f"the parameter budget must be a whole number >= 1; got {budget!r}")

    def count(cfg: ModelConfig, hidden: int) -> int:
        return count_parameters(replace(cfg, hidden_size=hidden), input_size=input_size,
                                output_size=output_size, seq_len=seq_len)

    sized = []
    for cfg in cfgs:
        low, high = 1, 4096
        while low < high:  # smallest hidden size whose count reaches the budget
            mid = (low + high) // 2
            low, high = (mid + 1, high) if count(cfg, mid) < budget else (low, mid)
        best = min({max(low - 1, 1), low}, key=lambda h: abs(count(cfg, h) - budget))
        sized.append(replace(cfg, hidden_size=best))
    return sized


@dataclass(frozen=True, slots=True, eq=False)
class RunResult:
    """One trained model of a comparison (on a memory task, or on the page's real data)."""

    label: str
    cfg: ModelConfig
    model: nn.Module
    history: History
    metric: float  # test accuracy (0-1), test MSE, or RMSE / naive on prices
    baseline: float  # chance accuracy, the predict-the-mean MSE, the majority class or 1 (naive)
    parameters: int
    seconds: float  # training time (History.elapsed: validation included, time paused not)
    gradient: np.ndarray | None = None  # |d loss / d x_t| per step on a few test inputs, if measured
    extra: dict[str, float] = field(default_factory=dict)  # further scores, e.g. macro-F1
    confusion: np.ndarray | None = None  # (classes, classes) test counts, confusion[true, predicted]

    @property
    def epochs_run(self) -> int:
        return len(self.history.epochs)

    @property
    def seconds_per_epoch(self) -> float:
        return self.seconds / self.epochs_run if self.epochs_run else math.nan


@dataclass(frozen=True, slots=True, eq=False)
class CompareResult:
    task: str
    data: MemoryTaskData
    runs: list[RunResult]
    stopped: bool = False  # the stop event ended it before every model had trained

    def table(self) -> pd.DataFrame:
        """One row per model, best first (highest accuracy or lowest MSE)."""
        return results_table(self.runs, memory_task(self.task).metric)


def results_table(runs: Sequence[RunResult], metric: str) -> pd.DataFrame:
    """Rows: model, test metric, chance or baseline, parameters, seconds per epoch, epochs run, seconds."""
    level = "chance" if metric == "accuracy" else "baseline MSE"
    rows = [{"model": r.label, f"test {metric}": r.metric, level: r.baseline, "parameters": r.parameters,
             "seconds per epoch": r.seconds_per_epoch, "epochs run": r.epochs_run, "seconds": r.seconds,
             "ended": r.history.stop_reason} for r in runs]
    frame = pd.DataFrame(rows, columns=["model", f"test {metric}", level, "parameters", "seconds per epoch",
                                        "epochs run", "seconds", "ended"])
    return frame.sort_values(f"test {metric}", ascending=metric != "accuracy", kind="stable",
                             ignore_index=True)


CallbacksFor = Callable[[str], Sequence[object]]


def train_one(
    label: str, cfg: ModelConfig, data: MemoryTaskData, train_cfg: TrainConfig,
    callbacks: Sequence[object] = (), stop: threading.Event | None = None,
) -> RunResult:
    """Build ``cfg`` under ``train_cfg.seed`` and train it on ``data``; score it on the test part."""
    spec = data.spec
    sizes = {"input_size": spec.input_size, "output_size": spec.output_size, "seq_len": data.cfg.length}
    with seeded(train_cfg.seed):  # the same initial draw for every model of a comparison
        model = build_model(cfg, **sizes)
    task = CLASSIFICATION if spec.kind == "classification" else REGRESSION
    history = fit(model, data.train, data.val, train_cfg, task, callbacks=callbacks, stop=stop)
    seconds = history.elapsed  # training time without pauses: the figure the page's status line shows
    mse, scores = evaluate(model, *data.test, task)  # the task's loss is the MSE of a regression
    metric = scores["accuracy"] if task is CLASSIFICATION else mse
    return RunResult(label, cfg, model, history, metric, data.baseline, parameter_count(model), seconds)


def compare_models(
    task: str,
    data_cfg: MemoryTaskConfig,
    runs: Sequence[tuple[str, ModelConfig]],
    train_cfg: TrainConfig | None = None,
    *,
    callbacks_for: CallbacksFor | None = None,
    stop: threading.Event | None = None,
    data: MemoryTaskData | None = None,
) -> CompareResult:
    """Train each (label, config) on the same data from the same seed, one after the other.

    Args:
        task: a memory task name.
        data_cfg: length and sizes of the generated data (ignored when ``data`` is given).
        runs: (label, ModelConfig) pairs, e.g. from ``model_choices``; labels must differ.
        train_cfg: the shared budget; defaults to ``DEFAULTS.train_config()``.
        callbacks_for: label -> the fit callbacks of that run (a job tags its records by run).
        stop: once set, the running model stops and the rest are skipped.
        data: already generated data for ``task`` (the page generates once, shows, then trains).

    Raises:
        ValueError: for an unknown task, no runs or repeated labels.
    """
    spec = memory_task(task)
    if not runs:
        raise ValueError(f"choose at least one model; valid: {', '.join(MODEL_CHOICES)}")
    labels = [label for label, _ in runs]
    if len(set(labels)) != len(labels):
        raise ValueError(f"every run needs its own label; got {labels}")
    if data is not None and data.task != spec.name:
        raise ValueError(f"data were generated for {data.task!r}, not {task!r}")
    data = data or generate_task(task, data_cfg)
    train_cfg = train_cfg or DEFAULTS.train_config()
    results: list[RunResult] = []
    for label, cfg in runs:
        if stop is not None and stop.is_set():
            return CompareResult(spec.name, data, results, stopped=True)
        callbacks = callbacks_for(label) if callbacks_for else ()
        results.append(train_one(label, cfg, data, train_cfg, callbacks, stop))
    stopped = stop is not None and stop.is_set()
    return CompareResult(spec.name, data, results, stopped=stopped)
