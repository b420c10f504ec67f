"""What a page reads of a training job: immutable snapshots of its state and of each run's records.

``lstm_core.jobs.TrainingJob`` keeps a ``LiveRun`` per run as records arrive from its worker and
hands out a ``JobSnapshot`` (with a ``RunSnapshot`` per run) whenever a page polls.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from lstm_core.progress import BatchProgress, EpochProgress, EvalPoint, History, TrainStart

JobStatus = Literal["pending", "running", "done", "failed", "stopped"]


@dataclass(frozen=True)
class RunSnapshot:
    """One run's records at one moment."""

    run_id: str
    start: TrainStart | None = None
    last_batch: BatchProgress | None = None
    epochs: tuple[EpochProgress, ...] = ()
    evals: tuple[EvalPoint, ...] = ()
    history: History | None = None

    @property
    def fraction(self) -> float:
        """Share of the run's planned optimiser steps done, 0..1."""
        if self.history is not None and self.history.stop_reason == "completed":
            return 1.0
        if self.start is None or not self.start.total_steps:
            return 0.0
        last = self.last_batch.step if self.last_batch else 0
        steps = max(last, self.epochs[-1].step if self.epochs else 0)
        return min(1.0, steps / self.start.total_steps)


NO_RUN = RunSnapshot("")  # the snapshot of a job whose first run has not started


@dataclass(frozen=True)
class JobSnapshot:
    """A consistent copy of a job's state at one moment.

    ``start`` .. ``history`` are those of the latest run (``run_ids[-1]``); ``runs`` has all.
    """

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
    run_ids: tuple[str, ...] = ()
    runs: Mapping[str, RunSnapshot] = field(default_factory=dict)
    queue_position: int | None = None  # 1 = next to get a worker; None once it has one
    message: str | None = None  # how a job that ended "stopped" ended (no result)
    job_id: str = ""
    paused: bool = False  # Pause pressed: the worker waits (between optimiser steps) until Resume or Step
    stepping: bool = False  # Step pressed while paused: one more epoch is training

    @property
    def running(self) -> bool:
        return self.status in ("pending", "running")

    @property
    def fraction(self) -> float:
        """Share of the latest run's planned optimiser steps done, 0..1 (a stopped run stays put)."""
        if self.status == "done" and (self.history is None or self.history.stop_reason == "completed"):
            return 1.0
        run = self.runs[self.run_ids[-1]] if self.run_ids else NO_RUN
        return run.fraction

    @property
    def elapsed(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.finished_at or time.time()) - self.started_at


@dataclass
class LiveRun:
    """One run's records as they arrive (mutable: the job changes it under its lock)."""

    start: TrainStart | None = None
    last_batch: BatchProgress | None = None
    epochs: list[EpochProgress] = field(default_factory=list)
    evals: list[EvalPoint] = field(default_factory=list)
    history: History | None = None

    def apply(self, kind: str, record: Any) -> None:
        """Keep a record of ``kind`` "start", "batch", "epoch", "eval" or "history"."""
        if kind == "eval":
            self.evals.append(record)
        elif kind == "epoch":
            self.epochs.append(record)
        else:
            setattr(self, {"start": "start", "batch": "last_batch", "history": "history"}[kind], record)

    def snapshot(self, run_id: str) -> RunSnapshot:
        """An immutable copy of the records so far."""
        return RunSnapshot(run_id, self.start, self.last_batch, tuple(self.epochs), tuple(self.evals),
                           self.history)
