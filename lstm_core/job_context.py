"""The worker side of a job: the context a job's function gets, and what its records go through.

``JobContext`` is handed to ``target(ctx, *args)`` in a worker process (lstm_core.worker_main):
the ``fit`` callback of the job's default run, the stop event (a pause gate there), ``publish``
for live values and ``run(run_id)`` for jobs that train several models. Re-exported by
lstm_core.jobs, where the server side lives.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from lstm_core.progress import BatchProgress, Callback, EpochProgress, EvalPoint, History, TrainStart

DEFAULT_RUN = "run"  # the run id of records sent through the context itself


class Outbox(Protocol):
    """Where a worker's context sends what the job reports (lstm_core.worker_pool)."""

    def record(self, run_id: str, kind: str, record: Any) -> None: ...

    def publish(self, key: str, value: Any) -> None: ...


class RunCallback(Callback):
    """The ``fit`` callback of one run of a job: each record goes back tagged with ``run_id``.

    ``gate`` (the worker's pause gate, when there is one) hears of each epoch's end: a Step lets
    exactly one epoch through."""

    def __init__(self, outbox: Outbox, run_id: str, gate: Any = None) -> None:
        self._outbox, self.run_id, self._gate = outbox, run_id, gate

    def on_train_start(self, info: TrainStart) -> None:
        self._outbox.record(self.run_id, "start", info)

    def on_batch_end(self, progress: BatchProgress) -> None:
        self._outbox.record(self.run_id, "batch", progress)

    def on_eval(self, point: EvalPoint) -> None:
        self._outbox.record(self.run_id, "eval", point)

    def on_epoch_end(self, progress: EpochProgress) -> None:
        self._outbox.record(self.run_id, "epoch", progress)
        if self._gate is not None:
            self._gate.epoch_ended()

    def on_train_end(self, history: History) -> None:
        self._outbox.record(self.run_id, "history", history)


class JobContext(RunCallback):
    """Handed to the job's function in the worker: the callback of run ``DEFAULT_RUN``, the stop
    event, ``publish`` and ``run(run_id)`` for jobs that train several models."""

    def __init__(self, outbox: Outbox, stop_event: Any) -> None:
        gate = stop_event if hasattr(stop_event, "epoch_ended") else None
        super().__init__(outbox, DEFAULT_RUN, gate)
        self.stop_event = stop_event  # in a worker: a PauseGate, whose is_set() waits while paused

    def publish(self, key: str, value: Any) -> None:
        """Share a live value with the page (sent as it is now; later changes are not seen)."""
        self._outbox.publish(key, value)

    def run(self, run_id: str) -> RunCallback:
        """The callback for the run ``run_id`` (its records are kept apart in the snapshot)."""
        if not run_id:
            raise ValueError("A run id must be a non-empty string.")
        return RunCallback(self._outbox, run_id, self._gate)


def describe_exit(code: int | None) -> str:
    """A worker's exit code in words, e.g. 'exit code -9, killed — probably out of memory'."""
    words = {-9: "killed — probably out of memory", -15: "terminated", -11: "crashed (segmentation fault)",
             -6: "aborted"}
    if code is None:
        return "exit code unknown"
    return f"exit code {code}" + (f", {words[code]}" if code in words else "")


def worker_died_message(code: int | None) -> str:
    return (f"The training worker ended unexpectedly ({describe_exit(code)}). Nothing else on the server "
            "was affected; try a smaller model or batch size, then train again.")


TRAIL_KEY = "batch_losses"  # what LossTrail publishes by default: ((step, ...), (loss, ...))


class LossTrail(Callback):
    """Publishes the batch losses seen so far, so the page has a curve before the first epoch ends.

    Runs in the worker and only calls ``JobContext.publish`` under ``key`` (one per run when a
    job trains several), at most every ``every`` seconds (each publish pickles the trail) and
    once more when training ends; past ``limit`` points it keeps every other one.
    """

    def __init__(self, ctx: JobContext, key: str = TRAIL_KEY, limit: int = 2000, every: float = 0.25) -> None:
        self.ctx, self.key, self.limit, self.every = ctx, key, limit, every
        self.steps: list[int] = []
        self.losses: list[float] = []
        self._sent = 0.0

    def on_batch_end(self, progress: BatchProgress) -> None:
        self.steps.append(progress.step)
        self.losses.append(progress.loss)
        if len(self.steps) > self.limit:  # keep every other point: bounded size, whole run visible
            self.steps, self.losses = self.steps[::2], self.losses[::2]
        if time.monotonic() - self._sent >= self.every:
            self._publish()

    def on_train_end(self, history: History) -> None:
        self._publish()

    def _publish(self) -> None:
        self._sent = time.monotonic()
        self.ctx.publish(self.key, (tuple(self.steps), tuple(self.losses)))
