"""The state of one ``fit`` call, step by step: batches, optimiser steps, evaluations, stopping rules.

``lstm_core.training.fit`` drives a ``Trainer`` epoch by epoch; callbacks never see it, only the
immutable progress records it sends (``lstm_core.progress``), so they cannot change training
state by accident.
"""

from __future__ import annotations

import copy
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from types import MappingProxyType

import torch
from torch import nn

from lstm_core.config import TrainConfig
from lstm_core.evaluation import Part, call_model, evaluate, unpack
from lstm_core.lr_schedule import scheduler
from lstm_core.progress import BatchProgress, EpochProgress, EvalPoint, History, StopReason
from lstm_core.runtime import resolve_device

# Called as transform(x, epoch) on the training inputs at the start of each epoch (e.g. augmentation).
TrainTransform = Callable[[torch.Tensor, int], torch.Tensor]


def _optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    return torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)


def call_hooks(callbacks: Sequence[object], hook: str, arg: object) -> bool:
    """Run ``hook`` on every callback that has it; True if any asked to stop."""
    stop = False
    for cb in callbacks:
        method = getattr(cb, hook, None)
        if method is not None and method(arg) is True:
            stop = True
    return stop


def _on(device: torch.device, part: Part) -> Part:
    return tuple(t.to(device) for t in part)


class Trainer:
    """State of one ``fit`` call; kept private so that callbacks never see it."""

    def __init__(self, model, train, val, cfg, task, callbacks, stop, monitor, transform=None):
        self.model, self.cfg, self.task, self.callbacks = model, cfg, task, list(callbacks)
        self.transform: TrainTransform | None = transform
        self.stop_event = stop or threading.Event()
        self.device = resolve_device(cfg.device)
        self.model.to(self.device)
        self.x, self.y, self.lengths = unpack(_on(self.device, train))
        self.val = _on(self.device, val) if val is not None and len(val[0]) else None
        self.monitor = {name: _on(self.device, data) for name, data in monitor.items() if len(data[0])}
        self.loss_fn = task.loss_function()
        self.opt = _optimizer(model, cfg)
        self.steps_per_epoch = math.ceil(len(self.x) / cfg.batch_size)
        self.total_steps = cfg.epochs * self.steps_per_epoch
        if cfg.max_steps is not None:
            self.total_steps = min(self.total_steps, cfg.max_steps)
        self.scheduler = scheduler(self.opt, cfg, self.total_steps)
        self.history = History(device=str(self.device))
        self.best_state: dict[str, torch.Tensor] | None = None  # weights at the best epoch
        self.init_state = copy.deepcopy(model.state_dict())  # what a diverged run falls back to
        self.generator = torch.Generator(device="cpu").manual_seed(cfg.seed)
        self.step = 0
        self.reported_step = 0  # the last step sent to on_batch_end
        self.last_batch: tuple[int, torch.Tensor] | None = None  # (epoch, loss) of the latest step
        # Training loss since the last EvalPoint; kept across epochs, since eval_every may be longer.
        self.since_eval, self.since_eval_n = torch.zeros((), device=self.device), 0
        self.start = time.perf_counter()
        self.waited = 0.0  # seconds spent in the stop check: a paused job waits there (not training)

    def training_seconds(self) -> float:
        """Seconds since the start, less the time spent paused."""
        return time.perf_counter() - self.start - self.waited

    def stop_requested(self) -> bool:
        """The stop check; a worker's pause gate holds here while the job is paused."""
        asked = time.perf_counter()
        stop = self.stop_event.is_set()
        self.waited += time.perf_counter() - asked
        return stop

    def elapsed_eta(self) -> tuple[float, float]:
        elapsed = self.training_seconds()
        eta = elapsed / self.step * (self.total_steps - self.step) if self.step else math.nan
        return elapsed, eta

    def end(self, reason: StopReason, message: str = "") -> None:
        self.history.stop_reason, self.history.message = reason, message

    def evaluate_all(self) -> tuple[float | None, dict[str, float]]:
        """Validation loss (None without validation data) and the metrics of validation and monitored data."""
        val_loss, metrics = None, {}
        if self.val is not None:
            x, y, lengths = unpack(self.val)
            val_loss, val_metrics = evaluate(self.model, x, y, self.task, lengths)
            metrics.update({f"val_{k}": v for k, v in val_metrics.items()})
        for name, data in self.monitor.items():
            x, y, lengths = unpack(data)
            loss, scores = evaluate(self.model, x, y, self.task, lengths)
            metrics.update({f"{name}_loss": loss, **{f"{name}_{k}": v for k, v in scores.items()}})
        return val_loss, metrics

    def report_batch(self, final: bool = False) -> bool:
        """Send the latest step to ``on_batch_end``; False (and nothing sent) if its loss is not finite."""
        epoch, loss = self.last_batch  # type: ignore[misc]
        value = float(loss)
        if not math.isfinite(value):
            return False
        self.reported_step = self.step
        elapsed, eta = self.elapsed_eta()
        call_hooks(self.callbacks, "on_batch_end", BatchProgress(epoch, self.step, self.total_steps, value,
                                                            elapsed, 0.0 if final else eta))
        return True

    def diverged(self, where: str) -> None:
        self.end(
            "diverged",
            f"Training diverged: the loss became NaN or infinite {where}. "
            f"Lower the learning rate (now {self.cfg.lr:g}) or keep gradient clipping on.",
        )

    def epoch_inputs(self, epoch: int) -> torch.Tensor:
        """The training inputs of ``epoch``: as given, or passed through the train transform."""
        if self.transform is None:
            return self.x
        x = self.transform(self.x, epoch)
        if not isinstance(x, torch.Tensor) or x.shape != self.x.shape:
            raise ValueError(f"train_transform must return a tensor of shape {tuple(self.x.shape)}; got "
                             f"{tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__}")
        return x.to(self.device, self.x.dtype)

    def batches(self, epoch: int) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]]:
        """This epoch's batches: slices of one permuted copy of the training data."""
        n = len(self.x)
        perm = (torch.randperm(n, generator=self.generator).to(self.device) if self.cfg.shuffle
                else torch.arange(n, device=self.device))
        xs, ys = self.epoch_inputs(epoch)[perm], self.y[perm]  # one gather per epoch, then contiguous slices
        lengths = None if self.lengths is None else self.lengths[perm]
        for i in range(0, n, self.cfg.batch_size):
            j = i + self.cfg.batch_size
            yield xs[i:j], ys[i:j], None if lengths is None else lengths[i:j]

    def train_step(self, xb: torch.Tensor, yb: torch.Tensor, lb: torch.Tensor | None) -> torch.Tensor:
        """One optimiser step; returns the batch's outputs (detached)."""
        out = call_model(self.model, xb, lb)
        loss = self.loss_fn(out, yb)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        if self.cfg.grad_clip is not None:
            nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.grad_clip)
        self.opt.step()
        if self.scheduler is not None:
            self.scheduler.step()
        self.step += 1
        self.last_batch_loss = loss.detach()
        return out.detach()

    def after_step(self, epoch: int) -> bool:
        """Reports, evaluations and stop checks after a step; False when training must end now."""
        cfg, batch_loss = self.cfg, self.last_batch_loss
        self.last_batch = (epoch, batch_loss)
        if self.step == 1:
            self.history.first_loss = float(batch_loss)
        self.since_eval += batch_loss
        self.since_eval_n += 1
        if self.step % cfg.log_every == 0 or self.step == 1:  # step 1: show life at once
            if not self.report_batch():
                self.diverged(f"at epoch {epoch}, step {self.step}")
                return False
        if cfg.eval_every and self.step % cfg.eval_every == 0:
            val_loss, metrics = self.evaluate_all()
            self.model.train()
            point = EvalPoint(epoch, self.step, float(self.since_eval) / self.since_eval_n, val_loss,
                              MappingProxyType(metrics))
            self.history.evals.append(point)
            call_hooks(self.callbacks, "on_eval", point)
            self.since_eval, self.since_eval_n = torch.zeros((), device=self.device), 0
        if self.stop_requested():
            self.end("stopped", f"Stopped by request at epoch {epoch}, step {self.step}.")
            return False
        if cfg.max_steps is not None and self.step >= cfg.max_steps:
            self.end("max_steps", f"Reached {cfg.max_steps} optimiser steps.")
        return True

    def run_epoch(self, epoch: int) -> bool:
        """One pass over the training data; False when training must end now."""
        self.model.train()
        epoch_loss = torch.zeros((), device=self.device)
        correct: torch.Tensor | None = None  # right answers so far, for tasks that have them
        seen = 0
        for xb, yb, lb in self.batches(epoch):
            out = self.train_step(xb, yb, lb)
            epoch_loss += self.last_batch_loss * len(xb)
            seen += len(xb)
            right = self.task.correct(out, yb)
            if right is not None:
                correct = right if correct is None else correct + right
            if not self.after_step(epoch):
                return False
            if self.history.stop_reason == "max_steps":
                break
        if self.step > self.reported_step:  # an epoch's last step, before its on_epoch_end
            self.report_batch()  # (a non-finite loss sends nothing: the epoch's mean catches it below)
        train_loss = float(epoch_loss) / seen
        if not math.isfinite(train_loss):
            self.diverged(f"in epoch {epoch}")
            return False
        val_loss, metrics = self.evaluate_all()
        if correct is not None:
            metrics = {"train_accuracy": float(correct) / seen, **metrics}
        if val_loss is not None and not math.isfinite(val_loss):
            self.diverged(f"on the validation data in epoch {epoch}")
            return False
        return self.end_epoch(epoch, train_loss, val_loss, metrics)

    def end_epoch(self, epoch: int, train_loss: float, val_loss: float | None, metrics: dict) -> bool:
        """Keep the best weights, report the epoch and apply the stopping rules."""
        cfg = self.cfg
        monitored = train_loss if val_loss is None else val_loss
        if monitored < self.history.best_loss - cfg.min_delta or self.best_state is None:
            self.history.best_loss, self.history.best_epoch = monitored, epoch
            self.best_state = copy.deepcopy(self.model.state_dict())
        progress = EpochProgress(
            epoch, cfg.epochs, self.step, self.total_steps, train_loss, val_loss,
            MappingProxyType(metrics), *self.elapsed_eta(), self.history.best_epoch, self.history.best_loss,
        )
        self.history.epochs.append(progress)
        stop = call_hooks(self.callbacks, "on_epoch_end", progress)
        if self.history.stop_reason == "max_steps":
            return False
        if cfg.patience is not None and epoch - self.history.best_epoch >= cfg.patience:
            self.end("early_stopping", f"Early stopping: no improvement for {cfg.patience} epochs "
                     f"after epoch {self.history.best_epoch}.")
            return False
        if stop:
            self.end("stopped", f"Stopped by a callback after epoch {epoch}.")
            return False
        return True
