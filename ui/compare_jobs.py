"""The Compare page's jobs: train every ticked model on the same data (or sweep over T) in a worker.

Module-level functions that ``lstm_core.jobs.TrainingJob`` pickles by name: no streamlit here.
Each model is a run of the job (``ctx.run(label)``), so the page draws one line per model; one
stop event stops the model that trains and skips the rest. A finished model comes back with
its gradient over time already measured (in the worker, not on the server) and the page keeps
a few test inputs (``Probe``) to look inside any LSTM among them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from lstm_core.compare import RunResult, train_one
from lstm_core.config import ForecastDataConfig, MnistDataConfig, ModelConfig, TrainConfig
from lstm_core.introspection import gradient_over_time
from lstm_core.job_context import LossTrail
from lstm_core.jobs import JobContext
from lstm_core.memory_tasks import generate_task
from lstm_core.metrics import majority_accuracy
from lstm_core.models import parameter_count
from lstm_core.sweep import SweepPoint, SweepResult, sweep
from lstm_core.tasks import CLASSIFICATION, REGRESSION, Task
from ui.compare_settings import CompareSettings

PROBE_SIZE = 64  # test inputs kept for the gradient and the look inside
TRAIL_PREFIX = "trail:"  # published per run: ((step, ...), (loss, ...))
POINTS = "sweep_points"  # published by the sweep: every finished SweepPoint so far
DONE = "finished_runs"  # published by a comparison: labels of the models trained so far
LEVEL = "level"  # published first: the chance accuracy or baseline the charts draw (None: no line)


@dataclass(frozen=True, eq=False)
class Probe:
    """A few test inputs of the task, with what a unit may track on them."""

    x: torch.Tensor  # (n, T, F)
    y: torch.Tensor  # (n,) classes or (n, 1) values
    signal: torch.Tensor  # (n, T) marker per step, (n,) target per sequence, or (n,) class labels
    signal_kind: str  # "steps", "target" or "class"
    names: tuple[str, ...]  # one label per input, for the picker
    markers: tuple[tuple[int, ...], ...] = ()  # marked steps (0-based) per input, memory tasks only


@dataclass(frozen=True, eq=False)
class CompareOutcome:
    settings: CompareSettings
    runs: list[RunResult]
    probe: Probe
    stopped: bool
    data_note: str  # which data, in words
    classes: tuple[str, ...] = ()  # class names of a real classification task (surnames)


@dataclass(frozen=True, eq=False)
class SweepOutcome:
    settings: CompareSettings
    result: SweepResult


Trainer = Callable[[str, ModelConfig, TrainConfig, Sequence[object], object], RunResult]


@dataclass(frozen=True, eq=False)
class Problem:
    train: Trainer
    task: Task
    probe: Probe
    note: str
    level: float | None  # chance accuracy, the predict-the-mean MSE, or the majority baseline
    classes: tuple[str, ...] = ()


def _memory_problem(settings: CompareSettings) -> Problem:
    data = generate_task(settings.task, settings.data_config())
    spec = data.spec
    x, y = data.test[0][:PROBE_SIZE], data.test[1][:PROBE_SIZE]
    positions = data.positions["test"][:PROBE_SIZE]
    names = tuple(f"test sequence {k + 1}: "
                  + (spec.classes[int(y[k])] if spec.classes else f"target {float(y[k]):.3f}")
                  for k in range(len(x)))

    def train(label, cfg, train_cfg, callbacks, stop) -> RunResult:
        return train_one(label, cfg, data, train_cfg, callbacks, stop)

    task = CLASSIFICATION if spec.kind == "classification" else REGRESSION
    c = data.cfg
    note = (f"{spec.title}, T = {c.length}: {c.n_train:,} training, {c.n_val:,} validation "
            f"and {c.n_test:,} test sequences (seed {c.seed}).")
    markers = tuple(tuple(int(t) for t in p) for p in positions)
    probe = Probe(x, y, spec.marker_signal(x), "steps", names, markers)
    return Problem(train, task, probe, note, data.baseline)


def _price_problem(settings: CompareSettings) -> Problem:
    from lstm_core.data import load_bundled
    from lstm_core.forecasting import prepare_forecast_data, train_forecaster

    frame = load_bundled(settings.ticker)
    data_cfg = ForecastDataConfig()
    data = prepare_forecast_data(frame, data_cfg)
    test = data.parts["test"]
    x, y = data.x[test][-PROBE_SIZE:], data.y[test][-PROBE_SIZE:]
    dates = data.dates[test][-PROBE_SIZE:]
    names = tuple(f"window before {d:%Y-%m-%d}" for d in dates)

    def train(label, cfg, train_cfg, callbacks, stop) -> RunResult:
        r = train_forecaster(frame, data_cfg, cfg, train_cfg, callbacks, stop)
        rmse = r.report.loc["RMSE"]
        extra = {"test RMSE": float(rmse["model"]), "naive RMSE": float(rmse["naive"])}
        return RunResult(label, cfg, r.model, r.history, float(rmse["model / naive"]), 1.0,
                         parameter_count(r.model), r.history.elapsed, extra=extra)

    w = data.windows
    span = f"{frame.index[0]:%Y-%m-%d} to {frame.index[-1]:%Y-%m-%d}"
    note = (f"{settings.ticker} daily closes ({span}, bundled): "
            f"{w['train']:,} training, {w['val']:,} validation and {w['test']:,} test windows of 30 days.")
    return Problem(train, REGRESSION, Probe(x, y, y[:, 0], "target", names), note, None)


def _mnist_problem(settings: CompareSettings) -> Problem:
    from lstm_core.classification import train_classifier
    from lstm_core.data.mnist import load_mnist

    data = load_mnist(MnistDataConfig(source="subset", train_limit=settings.n_train), fallback=False)
    x, y = data.test_x[:PROBE_SIZE], data.test_y[:PROBE_SIZE]
    names = tuple(f"test digit {k + 1}: a {int(y[k])}" for k in range(len(x)))
    baseline = majority_accuracy(data.train_y.numpy(), data.test_y.numpy())

    def train(label, cfg, train_cfg, callbacks, stop) -> RunResult:
        r = train_classifier(data, cfg, train_cfg, callbacks, stop)
        return RunResult(label, cfg, r.model, r.history, r.accuracy, baseline, parameter_count(r.model),
                         r.history.elapsed)

    return Problem(train, CLASSIFICATION, Probe(x, y, y, "class", names), data.description + ".", baseline)


def _surname_problem(settings: CompareSettings) -> Problem:
    from lstm_core.sequence_classification import train_sequence_classifier
    from lstm_core.surnames import class_summary, load_split, surname_dataset

    split = load_split(settings.seed)
    dataset = surname_dataset(split)
    lengths = dataset.test[2]
    common = int(torch.mode(lengths).values)  # names of one length: no padding inside the probe
    idx = torch.nonzero(lengths == common).flatten()[:PROBE_SIZE]
    x, y = dataset.test[0][idx, :common], dataset.test[1][idx]
    names = tuple(f"{split.test.names[int(i)]} ({split.languages[int(y[k])]})" for k, i in enumerate(idx))

    def train(label, cfg, train_cfg, callbacks, stop) -> RunResult:
        r = train_sequence_classifier(dataset, cfg, train_cfg, callbacks, stop)
        return RunResult(label, cfg, r.model, r.history, r.accuracy, r.majority_accuracy,
                         parameter_count(r.model), r.history.elapsed, extra={"macro-F1": r.macro_f1},
                         confusion=r.confusion)

    summary = class_summary(split)
    counts, big, small = summary["counts"], summary["largest"], summary["smallest"]
    note = (f"Bundled surnames in {len(split.languages)} languages: {len(split.train.names):,} training, "
            f"{len(split.val.names):,} validation and {len(split.test.names):,} test names (split by name). "
            f"Imbalanced: {big} has {counts[big]:,} names, {small} {counts[small]:,}, so accuracy "
            "flatters; macro-F1 weighs every language equally.")
    level = majority_accuracy(dataset.train[1].numpy(), dataset.test[1].numpy())
    return Problem(train, CLASSIFICATION, Probe(x, y, y, "class", names), note, level, split.languages)


def make_problem(settings: CompareSettings) -> Problem:
    """The data of ``settings.task``, a trainer for one model on it, and the probe inputs."""
    makers = {"prices": _price_problem, "mnist": _mnist_problem, "surnames": _surname_problem}
    return makers.get(settings.task, _memory_problem)(settings)


def _gradient(model: nn.Module, probe: Probe, task: Task) -> np.ndarray | None:
    try:
        return gradient_over_time(model, probe.x, probe.y, task.loss_function())
    except (RuntimeError, ValueError):  # a model that cannot be differentiated here: no curve, no failure
        return None


def compare_job(ctx: JobContext, settings: CompareSettings, runs: list[tuple[str, ModelConfig]]
                ) -> CompareOutcome:
    """Train each (label, config) one after the other on the same data, seed and budget."""
    torch.set_num_threads(1)
    problem = make_problem(settings)
    ctx.publish(LEVEL, problem.level)
    train_cfg = settings.train_config()
    done: list[RunResult] = []
    for label, cfg in runs:
        if ctx.stop_event.is_set():
            break
        trail = LossTrail(ctx, TRAIL_PREFIX + label, limit=1500, every=0.5)
        outcome = problem.train(label, cfg, train_cfg, [ctx.run(label), trail], ctx.stop_event)
        done.append(replace(outcome, gradient=_gradient(outcome.model, problem.probe, problem.task)))
        ctx.publish(DONE, tuple(r.label for r in done))
    stopped = ctx.stop_event.is_set() or len(done) < len(runs)
    return CompareOutcome(settings, done, problem.probe, stopped, problem.note, problem.classes)


def sweep_run_id(label: str, length: int) -> str:
    return f"{label} · T={length}"


def sweep_job(ctx: JobContext, settings: CompareSettings, runs: list[tuple[str, ModelConfig]]
              ) -> SweepOutcome:
    """Compare ``runs`` at every T of ``settings.lengths``, shortest first; publishes each finished point."""
    torch.set_num_threads(1)
    points: list[SweepPoint] = []
    ctx.publish(LEVEL, None)

    def on_point(point: SweepPoint) -> None:
        points.append(point)
        ctx.publish(POINTS, tuple(points))

    result = sweep(settings.task, settings.lengths, runs, settings.train_config(),
                   defaults=settings.defaults(), data_seed=settings.seed, on_point=on_point,
                   stop=ctx.stop_event,
                   callbacks_for=lambda label, t: [ctx.run(sweep_run_id(label, t))])
    return SweepOutcome(settings, result)
