"""Long-memory tasks with a distance knob T, generated from a seed (Hochreiter & Schmidhuber 1997).

Each task turns a ``MemoryTaskConfig`` into ``MemoryTaskData``: float32 inputs (N, T, F) and
targets for train, validation and test, plus where the task's markers are::

    temporal order (exp. 6a)   x: (N, T, 6) one-hot of a b c d X Y     y: (N,) int64 class of 4
        .........X..................Y..........          XX=0 XY=1 YX=2 YY=3, chance 25 %
               t1 in [0.1T, 0.2T]   t2 in [0.5T, 0.6T]
    adding (exp. 4)            x: (N, T, 2) pairs (value in [-1, 1], marker 0/1)
        target 0.5 + (v1 + v2) / 4 in [0, 1]; t1 in the first half, t2 in the second
    first symbol               x: (N, T, 4) one-hot of a b c d         y: the symbol at t = 0

A marked step sits early, so a model must carry what it saw across most of the sequence:
that distance is what separates a plain RNN from an LSTM or GRU. The adding problem keeps the
paper's pairs and target scaling but places the marks as later benchmarks do (one in each
half; the paper put both in the first half): measured here, an LSTM with forget-gate bias 3
then learns T = 100 in 2-4 epochs of 8,000 sequences, while with the paper's placement it had
not started after 18.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch

from lstm_core.bounds import Bound

# Longest sequence a task may have: a plain Python loop over steps (ManualLSTM, HandRNN) and
# backpropagation through time both grow with T, and the page's point is made by T = 200.
MAX_LENGTH = 2000
# Cap on generated floats (samples x steps x features) for one split, to keep memory bounded.
MAX_VALUES = 200_000_000
# T and the training sequences: one table for this config, the CLI and the Compare page's boxes.
TASK_BOUNDS = {"length": Bound(2, MAX_LENGTH, whole=True), "n_train": Bound(10, 200_000, whole=True)}

TaskKind = Literal["classification", "regression"]


def _int_in(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number in [{low}, {high:,}]; got {value!r}")


@dataclass(frozen=True, slots=True)
class MemoryTaskConfig:
    """How much of a memory task to generate, and from which seed."""

    length: int = 100  # T: steps per sequence, the memory distance knob
    n_train: int = 8000  # training sequences
    n_val: int = 1000  # validation sequences (picks the best epoch)
    n_test: int = 1000  # test sequences (the reported metric)
    seed: int = 0  # the same seed gives the same sequences

    def __post_init__(self) -> None:
        for name, bound in TASK_BOUNDS.items():
            _int_in(name, getattr(self, name), int(bound.low), int(bound.high))  # type: ignore[arg-type]
        _int_in("n_val", self.n_val, 0, 10_000_000)
        _int_in("n_test", self.n_test, 1, 10_000_000)
        _int_in("seed", self.seed, 0, 2**32 - 1)
        biggest = max(self.n_train, self.n_val, self.n_test) * self.length * 6
        if biggest > MAX_VALUES:
            raise ValueError(
                f"{max(self.n_train, self.n_val, self.n_test):,} sequences of length {self.length} are too "
                f"many to hold in memory here; use fewer sequences or a shorter length"
            )


Split = tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True, slots=True, eq=False)
class MemoryTaskData:
    """Generated sequences of one task.

    ``positions[split]`` is (N, k) int64: the marked steps of each sequence (k = 2 for temporal
    order and adding, 1 for first symbol), so pages and tests can see where the memory lies.
    """

    task: str
    cfg: MemoryTaskConfig
    train: Split  # x (N, T, F) float32, y (N,) int64 or (N, 1) float32
    val: Split | None
    test: Split
    positions: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def spec(self) -> MemoryTask:
        return MEMORY_TASKS[self.task]

    @property
    def baseline(self) -> float:
        """Chance accuracy (classification) or the test MSE of predicting the training mean."""
        if self.spec.kind == "classification":
            return self.spec.chance
        mean = self.train[1].mean()
        return float(((self.test[1] - mean) ** 2).mean())


@dataclass(frozen=True, slots=True)
class MemoryTask:
    """A task's description for the page and its generator."""

    name: str  # registry key, e.g. "temporal-order"
    title: str
    definition: str  # one or two sentences for the page
    kind: TaskKind
    input_size: int
    output_size: int  # classes, or 1 for the adding problem
    classes: tuple[str, ...]  # class names; () for regression
    metric: str  # "accuracy" or "mse"
    baseline_text: str  # what the chance / baseline line means
    make: Callable[[int, int, np.random.Generator], tuple[np.ndarray, np.ndarray, np.ndarray]]

    @property
    def chance(self) -> float:
        """Accuracy of guessing (classes are balanced); NaN for regression (see MemoryTaskData.baseline)."""
        return 1.0 / self.output_size if self.kind == "classification" else math.nan

    def generate(self, cfg: MemoryTaskConfig) -> MemoryTaskData:
        """Draw train, validation and test sequences; each split from its own seeded stream."""
        if not isinstance(cfg, MemoryTaskConfig):
            raise ValueError(f"expected a MemoryTaskConfig; got {type(cfg).__name__}")
        parts: dict[str, Split] = {}
        positions: dict[str, np.ndarray] = {}
        streams = np.random.SeedSequence(cfg.seed).spawn(3)
        for (split, n), stream in zip(
            (("train", cfg.n_train), ("val", cfg.n_val), ("test", cfg.n_test)), streams, strict=True
        ):
            x, y, pos = self.make(n, cfg.length, np.random.default_rng(stream))
            target = torch.from_numpy(y)
            parts[split] = (torch.from_numpy(x), target)
            positions[split] = pos
        val = parts["val"] if cfg.n_val else None
        return MemoryTaskData(self.name, cfg, parts["train"], val, parts["test"], positions)

    def marker_signal(self, x: torch.Tensor) -> torch.Tensor:
        """(N, T) float: 1 at the steps that carry what must be remembered, else 0."""
        if self.name == "temporal-order":
            return x[..., 4:6].sum(-1)
        if self.name == "adding":
            return x[..., 1].clone()
        signal = torch.zeros(x.shape[:2], dtype=x.dtype)
        signal[:, 0] = 1.0
        return signal


def marked_windows(length: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Temporal order's windows (inclusive) for t1 (early) and t2 (late), scaled from the paper's T = 100."""
    early = (int(0.1 * length), max(int(0.2 * length), int(0.1 * length)))
    late_lo = max(int(0.5 * length), early[1] + 1)
    late = (min(late_lo, length - 1), min(max(int(0.6 * length), late_lo), length - 1))
    return early, late


def _balanced_labels(n: int, classes: int, rng: np.random.Generator) -> np.ndarray:
    """Each class n // classes or n // classes + 1 times, in random order."""
    return rng.permutation(np.arange(n) % classes).astype(np.int64)


def _make_temporal_order(n: int, length: int, rng: np.random.Generator):
    labels = _balanced_labels(n, 4, rng)
    symbols = rng.integers(0, 4, size=(n, length))  # distractors a b c d
    (e_lo, e_hi), (l_lo, l_hi) = marked_windows(length)
    t1 = rng.integers(e_lo, e_hi + 1, size=n)
    t2 = rng.integers(l_lo, l_hi + 1, size=n)
    rows = np.arange(n)
    symbols[rows, t1] = 4 + labels // 2  # X = 4, Y = 5: the first letter of the class
    symbols[rows, t2] = 4 + labels % 2
    x = np.eye(6, dtype=np.float32)[symbols]
    return x, labels, np.stack([t1, t2], axis=1).astype(np.int64)


def _make_adding(n: int, length: int, rng: np.random.Generator):
    values = rng.uniform(-1.0, 1.0, size=(n, length)).astype(np.float32)
    half = length // 2
    t1 = rng.integers(0, half, size=n)  # first half: at least T / 2 steps from the end
    t2 = rng.integers(half, length, size=n)  # second half
    markers = np.zeros((n, length), dtype=np.float32)
    rows = np.arange(n)
    markers[rows, t1] = 1.0
    markers[rows, t2] = 1.0
    target = 0.5 + (values[rows, t1] + values[rows, t2]) / 4.0  # the paper's scaling, into [0, 1]
    x = np.stack([values, markers], axis=2)
    return x, target.astype(np.float32)[:, None], np.stack([t1, t2], axis=1).astype(np.int64)


def _make_first_symbol(n: int, length: int, rng: np.random.Generator):
    labels = _balanced_labels(n, 4, rng)
    symbols = rng.integers(0, 4, size=(n, length))
    symbols[:, 0] = labels
    x = np.eye(4, dtype=np.float32)[symbols]
    return x, labels, np.zeros((n, 1), dtype=np.int64)


MEMORY_TASKS: dict[str, MemoryTask] = {
    task.name: task
    for task in (
        MemoryTask(
            "temporal-order", "Temporal order",
            "Each sequence is T random symbols from a, b, c, d with two marked symbols, X or Y: one early "
            "(10-20 % of the way in) and one late (50-60 %). The class is their order: XX, XY, YX or YY.",
            "classification", 6, 4, ("XX", "XY", "YX", "YY"), "accuracy",
            "chance: 25 % (four balanced classes)", _make_temporal_order,
        ),
        MemoryTask(
            "adding", "Adding problem",
            "Each step is a pair (value in [-1, 1], marker). Two steps are marked, one in the first half "
            "and one in the second; the target is 0.5 + (sum of the two marked values) / 4.",
            "regression", 2, 1, (), "mse",
            "baseline: the test MSE of always predicting the training mean (about 0.042)", _make_adding,
        ),
        MemoryTask(
            "first-symbol", "Remember the first symbol",
            "Each sequence is T random symbols from a, b, c, d; the class is the very first symbol.",
            "classification", 4, 4, ("a", "b", "c", "d"), "accuracy",
            "chance: 25 % (four balanced classes)", _make_first_symbol,
        ),
    )
}


def memory_task(name: str) -> MemoryTask:
    """The task registered under ``name``.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
    """
    if name not in MEMORY_TASKS:
        raise ValueError(f"unknown task {name!r}; valid: {', '.join(MEMORY_TASKS)}")
    return MEMORY_TASKS[name]


def generate_task(name: str, cfg: MemoryTaskConfig | None = None) -> MemoryTaskData:
    """Generate the named task's data (``cfg`` defaults to ``MemoryTaskConfig()``)."""
    return memory_task(name).generate(cfg or MemoryTaskConfig())
