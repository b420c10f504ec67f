"""What training reports: immutable progress records, the History, and the Callback hooks.

``fit`` (lstm_core.training) hands these to callbacks; pages, the command line and jobs
read them. They hold numbers only, never the model or the trainer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from lstm_core.config import TrainConfig

StopReason = Literal["completed", "early_stopping", "stopped", "max_steps", "diverged"]


class StopTraining(Exception):  # noqa: N818 - reads as an instruction, like StopIteration
    """Raise from a callback to end training after the current batch."""


@dataclass(frozen=True, slots=True)
class TrainStart:
    cfg: TrainConfig
    task: str
    device: str
    n_train: int
    n_val: int
    steps_per_epoch: int
    total_steps: int


@dataclass(frozen=True, slots=True)
class BatchProgress:
    epoch: int  # 1-based
    step: int  # optimiser steps so far, across epochs
    total_steps: int
    loss: float  # this batch's training loss
    elapsed: float  # seconds since training started
    eta: float  # seconds left, extrapolated from the pace so far


@dataclass(frozen=True, slots=True)
class EvalPoint:
    """A mid-epoch evaluation, every ``cfg.eval_every`` steps (seed 000 reports these)."""

    epoch: int
    step: int
    train_loss: float  # mean training loss since the previous evaluation
    val_loss: float | None
    metrics: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class EpochProgress:
    epoch: int  # 1-based
    epochs: int
    step: int
    total_steps: int
    train_loss: float  # mean over the epoch's batches
    val_loss: float | None
    metrics: Mapping[str, float]  # e.g. train_accuracy, val_accuracy
    elapsed: float
    eta: float
    best_epoch: int  # epoch of the lowest monitored loss so far
    best_loss: float  # validation loss if there is validation data, else training loss


@dataclass
class History:
    """Everything ``fit`` observed; ``stop_reason`` and ``message`` say how it ended."""

    epochs: list[EpochProgress] = field(default_factory=list)
    evals: list[EvalPoint] = field(default_factory=list)
    stop_reason: StopReason = "completed"
    message: str = ""
    warning: str = ""  # set when the run ended badly without a NaN (see progress.loss_warning)
    first_loss: float = math.nan  # loss of the very first batch, before any update
    best_epoch: int = 0
    best_loss: float = math.inf
    restored_best: bool = False
    elapsed: float = 0.0
    device: str = "cpu"

    @property
    def train_loss(self) -> list[float]:
        return [e.train_loss for e in self.epochs]

    @property
    def val_loss(self) -> list[float | None]:
        return [e.val_loss for e in self.epochs]


class Callback:
    """Hooks with no-op defaults; override the ones you need.

    ``on_epoch_end`` may return True to stop training (as may raising ``StopTraining``).
    """

    def on_train_start(self, info: TrainStart) -> None: ...

    def on_batch_end(self, progress: BatchProgress) -> None: ...

    def on_eval(self, point: EvalPoint) -> None: ...

    def on_epoch_end(self, progress: EpochProgress) -> bool | None: ...

    def on_train_end(self, history: History) -> None: ...


# A last epoch whose mean loss is this many times the first batch's has not learned but diverged.
DIVERGENCE_RATIO = 3.0


def loss_warning(history: History, cfg: TrainConfig) -> str:
    """A sentence for a run that got worse than where it started without ever hitting NaN."""
    if history.stop_reason == "diverged" or not history.epochs or not history.first_loss > 0:
        return ""
    last = history.epochs[-1].train_loss
    if last <= DIVERGENCE_RATIO * history.first_loss:
        return ""
    return (f"Training went wrong: the training loss ended at {last:.4g}, {last / history.first_loss:.0f}x "
            f"the {history.first_loss:.4g} it started from, so the model got worse, not better. "
            f"Lower the learning rate (now {cfg.lr:g})"
            + (" or turn gradient clipping on." if cfg.grad_clip is None else "."))
