"""Background training jobs that a UI can poll.

A web page reruns its script on every click, which would kill a training loop that
runs inside it. So training runs in a thread that owns the model and records its
progress here; the page reads ``snapshot()`` as often as it likes. The thread never
touches the UI. One object serves every kind of training (forecast, MNIST, compare).
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from lstm_core.progress import BatchProgress, Callback, EpochProgress, EvalPoint, History, TrainStart

JobStatus = Literal["pending", "running", "done", "failed"]


@dataclass(frozen=True)
class JobSnapshot:
    """A consistent copy of a job's state at one moment."""

    status: JobStatus
    started_at: float | None
    finished_at: float | None
    start: TrainStart | None
    last_batch: BatchProgress | None
    epochs: tuple[EpochProgress, ...]
    evals: tuple[EvalPoint, ...]
    published: dict[str, Any]  # extra live values the job chose to share (e.g. predictions)
    history: History | None
    result: Any
    error: str | None  # a user-facing sentence when the job failed
    stop_requested: bool
    version: int  # increases with every change, so a page can skip redrawing

    @property
    def running(self) -> bool:
        return self.status in ("pending", "running")

    @property
    def fraction(self) -> float:
        """Share of the planned optimiser steps done, 0..1 (a stopped run stays where it stopped)."""
        if self.status == "done" and (self.history is None or self.history.stop_reason == "completed"):
            return 1.0
        if self.start is None or not self.start.total_steps:
            return 0.0
        steps = max(
            self.last_batch.step if self.last_batch else 0, self.epochs[-1].step if self.epochs else 0
        )
        return min(1.0, steps / self.start.total_steps)

    @property
    def elapsed(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.finished_at or time.time()) - self.started_at


@dataclass
class _State:
    status: JobStatus = "pending"
    started_at: float | None = None
    finished_at: float | None = None
    start: TrainStart | None = None
    last_batch: BatchProgress | None = None
    epochs: list[EpochProgress] = field(default_factory=list)
    evals: list[EvalPoint] = field(default_factory=list)
    published: dict[str, Any] = field(default_factory=dict)
    history: History | None = None
    result: Any = None
    error: str | None = None
    version: int = 0


class JobContext(Callback):
    """Handed to the job's function: a callback for ``fit`` plus the stop event."""

    def __init__(self, job: TrainingJob) -> None:
        self._job = job
        self.stop_event = job._stop

    def publish(self, key: str, value: Any) -> None:
        """Share a live value with the page (it must not be mutated afterwards)."""
        self._job._update(lambda s: s.published.__setitem__(key, value))

    def on_train_start(self, info: TrainStart) -> None:
        self._job._update(lambda s: setattr(s, "start", info))

    def on_batch_end(self, progress: BatchProgress) -> None:
        self._job._update(lambda s: setattr(s, "last_batch", progress))

    def on_eval(self, point: EvalPoint) -> None:
        self._job._update(lambda s: s.evals.append(point))

    def on_epoch_end(self, progress: EpochProgress) -> None:
        self._job._update(lambda s: s.epochs.append(progress))

    def on_train_end(self, history: History) -> None:
        self._job._update(lambda s: setattr(s, "history", history))


class TrainingJob:
    """Runs ``target(context)`` in a daemon thread and records what it reports.

    ``target`` should pass ``context`` to ``fit(callbacks=[context, ...],
    stop=context.stop_event)`` and return its result; an exception it raises marks
    the job failed with the exception's message (a ``ValueError`` is taken to be
    written for the user; anything else is reported as an internal error).
    """

    def __init__(self, target: Callable[[JobContext], Any], name: str = "training") -> None:
        self.name = name
        self._target = target
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._state = _State()
        self._thread = threading.Thread(target=self._run, name=f"lstm-studio-{name}", daemon=True)

    def start(self) -> TrainingJob:
        self._update(lambda s: setattr(s, "started_at", time.time()))
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the job to stop after its current batch; returns at once."""
        self._stop.set()
        self._update(lambda s: None)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the job to end; True if it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            s = self._state
            return JobSnapshot(
                s.status, s.started_at, s.finished_at, s.start, s.last_batch, tuple(s.epochs),
                tuple(s.evals), dict(s.published), s.history, s.result, s.error, self._stop.is_set(),
                s.version,
            )

    def _update(self, change: Callable[[_State], object]) -> None:
        with self._lock:
            change(self._state)
            self._state.version += 1

    def _run(self) -> None:
        self._update(lambda s: setattr(s, "status", "running"))
        try:
            result = self._target(JobContext(self))
        except ValueError as exc:
            self._finish("failed", error=str(exc))
        except BaseException as exc:  # noqa: BLE001 - the page must show a message, not wait forever
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            self._finish("failed", error=f"Training failed with an internal error: {detail}")
        else:
            self._finish("done", result=result)

    def _finish(self, status: JobStatus, result: Any = None, error: str | None = None) -> None:
        def change(s: _State) -> None:
            s.status, s.result, s.error, s.finished_at = status, result, error, time.time()

        self._update(change)
