"""The training loop: ``fit()`` with callbacks, stop requests, early stopping and seeding.

Data lives in tensors on the training device and is batched by slicing a permuted copy
once per epoch, so the hot loop has no per-sample Python (``lstm_core.trainer`` holds a run's
state step by step). Callbacks receive immutable progress records (``lstm_core.progress``),
never the trainer, so they cannot change training state by accident.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import torch
from torch import nn

from lstm_core.config import TrainConfig
from lstm_core.evaluation import Part, check_data, evaluate, predict
from lstm_core.progress import (
    History,
    StopTraining,
    TrainStart,
    loss_warning,
)
from lstm_core.runtime import RNG_LOCK, flushed_denormals, resolve_device, seed_everything, seeded
from lstm_core.tasks import REGRESSION, Task
from lstm_core.trainer import Trainer, TrainTransform, call_hooks

__all__ = ["Part", "evaluate", "fit", "predict", "resolve_device", "seed_everything", "seeded"]


def fit(
    model: nn.Module,
    train: Part,
    val: Part | None,
    cfg: TrainConfig,
    task: Task = REGRESSION,
    callbacks: Sequence[object] = (),
    stop: threading.Event | None = None,
    monitor: Mapping[str, Part] | None = None,
    train_transform: TrainTransform | None = None,
) -> History:
    """Train ``model`` in place and return what happened.

    Args:
        model: maps (batch, seq_len, features) to (batch, outputs); called as ``model(x, lengths)``
            when the data carry lengths.
        train: ``(x, y)`` or ``(x, y, lengths)`` for zero-padded sequences of varying length;
            ``y`` is (batch, outputs) floats for regression, class indices (int64) for classification.
        val: optional, like ``train``: validation loss, early stopping and best weights.
        cfg: optimiser, schedule, stopping rules, seed and device.
        task: a ``lstm_core.tasks.Task`` (REGRESSION: MSE; CLASSIFICATION: cross-entropy).
        callbacks: objects with any of the ``Callback`` hooks.
        stop: set this event (from another thread) to stop after the current batch.
        monitor: name -> ``(x, y)`` scored with the validation data (metrics ``{name}_loss``,
            ``{name}_accuracy``...) for the record only: never used to pick weights or stop,
            so a test set can be watched without leaking into the choice of model.
        train_transform: called as ``train_transform(x, epoch)`` on the training inputs (on the
            training device) at the start of each epoch; that epoch trains on what it returns
            (same shape), e.g. ``lstm_core.augment.DigitJitter``. Validation and monitored data
            are never transformed.

    Returns:
        The ``History``. A loss that turns NaN or infinite ends training with
        ``stop_reason == "diverged"`` and a message, rather than an exception. Unless
        ``cfg`` says otherwise the best weights (lowest validation loss, or training loss
        without validation data) are restored.
    """
    monitor = _check_inputs(task, train, val, dict(monitor or {}))
    with RNG_LOCK:
        torch.manual_seed(cfg.seed)  # dropout masks repeat with the seed (see ``seeded`` for the limit)
    trainer = Trainer(model, train, val, cfg, task, callbacks, stop, monitor, train_transform)
    call_hooks(trainer.callbacks, "on_train_start", TrainStart(
        cfg, task.name, str(trainer.device), len(trainer.x),
        0 if trainer.val is None else len(trainer.val[0]), trainer.steps_per_epoch, trainer.total_steps,
    ))
    try:
        with flushed_denormals():  # subnormal weights can slow CPU training twentyfold (see there)
            for epoch in range(1, cfg.epochs + 1):
                if not trainer.run_epoch(epoch):
                    break
    except StopTraining as exc:
        trainer.end("stopped", str(exc) or "Stopped by a callback.")
    return _finish(trainer)


def _check_inputs(task: Task, train: Part, val: Part | None, monitor: dict[str, Part]) -> dict[str, Part]:
    if not isinstance(task, Task):
        raise ValueError(f"unknown task {task!r}: pass lstm_core.tasks.REGRESSION or CLASSIFICATION")
    check_data("train", train)
    if len(train[0]) == 0:
        raise ValueError("train has no samples")
    if val is not None:
        check_data("val", val)
    for name, data in monitor.items():
        if name in ("train", "val"):
            raise ValueError(f"monitor name {name!r} would overwrite the {name}_* metrics; use another name")
        check_data(name, data)
    return monitor


def _finish(trainer: Trainer) -> History:
    """Report the last step, put the right weights back and tell the callbacks how it ended."""
    history, model = trainer.history, trainer.model
    if trainer.step > trainer.reported_step and history.stop_reason != "diverged":
        try:  # stopped mid-epoch: the step it stopped on, so that a display ends where training did
            trainer.report_batch(final=True)
        except StopTraining:
            pass  # training has ended already
    if history.stop_reason == "diverged":
        # NaN weights are worth nothing: fall back to the best epoch (even if restore_best is
        # off) or, without one, to the initial weights.
        model.load_state_dict(trainer.best_state if trainer.best_state is not None else trainer.init_state)
        history.restored_best = trainer.best_state is not None
    elif trainer.best_state is not None and trainer.cfg.restore_best:
        model.load_state_dict(trainer.best_state)
        history.restored_best = True
    model.eval()
    history.warning = loss_warning(history, trainer.cfg)
    history.elapsed = trainer.training_seconds()
    call_hooks(trainer.callbacks, "on_train_end", history)
    return history
