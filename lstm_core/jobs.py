"""Training jobs that a UI can poll, run in worker processes (lstm_core.worker_pool).

A web page reruns its script on every click, which would kill a training loop that runs
inside it; and a server is shared by every browser session. So a job's function runs in a
child process from a pool: it reports progress records through the ``JobContext`` it is
handed, they stream back over a pipe and land here, and the page reads ``snapshot()`` as
often as it likes. The result (a trained model and its numbers) is pickled back at the end.

A job may train several models: ``ctx.run(run_id)`` gives each its own callback, and the
snapshot keeps each run's records apart (``runs``, in the order they started). The single-run
fields (``start``, ``epochs``...) describe the latest run, so one-model pages read them as is.

There is no thread mode: the page tests (AppTest runs the page in-process) and the browser
tests use the same worker processes as the server does.
"""

from __future__ import annotations

import copyreg
import pickle
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from lstm_core.job_context import (  # noqa: F401 - the worker side, re-exported: jobs import it from here
    DEFAULT_RUN,
    JobContext,
    Outbox,
    RunCallback,
    describe_exit,
    worker_died_message,
)
from lstm_core.job_snapshot import (  # noqa: F401 - RunSnapshot re-exported: pages import it from here
    NO_RUN,
    JobSnapshot,
    JobStatus,
    LiveRun,
    RunSnapshot,
)

STOPPED_HARD = ("The model was stopped hard: it did not reach a point where it could stop within "
                "{after:.0f} s, so its worker was ended and no result is kept.")
STOPPED_UNSTARTED = "Stopped before it started (it was waiting for a free worker): nothing was trained."


# Progress records keep their metrics in a read-only MappingProxyType, which pickle cannot
# handle by itself; records and results cross from the worker to the server as pickles.
def read_only(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


copyreg.pickle(MappingProxyType, lambda proxy: (read_only, (dict(proxy),)))


class TrainingJob:
    """``target(ctx, *args)`` run in a worker process; its records kept here for the page.

    ``target`` must be a module-level function (it is pickled, as are ``args``). It should
    pass ``ctx`` (or ``ctx.run(id)`` per model) to ``fit(callbacks=[...], stop=ctx.stop_event)``
    and return its result. A ``ValueError`` it raises fails the job with its message (taken to be
    written for the user); any other exception is reported as an internal error.

    ``orphan_after``: seconds without a ``touch()`` (a page's poll) after which the pool's reaper
    stops the job, if ``still_wanted()`` (when given) also says False. ``seed`` seeds Python,
    NumPy and torch in the worker before ``target`` runs.
    """

    def __init__(self, target: Callable[..., Any], args: tuple = (), *, name: str = "training",
                 seed: int = 0, pool: Any = None, orphan_after: float | None = None,
                 still_wanted: Callable[[], bool] | None = None) -> None:
        try:
            self.payload = pickle.dumps((target, tuple(args)), protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, AttributeError, TypeError) as exc:
            raise TypeError(f"A job's function and arguments must pickle (a module-level function): {exc}") \
                from exc
        self.name, self.seed, self.job_id = name, seed, uuid.uuid4().hex
        self.orphan_after, self.still_wanted = orphan_after, still_wanted
        self.last_seen, self.created = time.monotonic(), time.time()
        self.orphaned = False  # set when the reaper stopped it (nobody polled it any more)
        self.stop_requested_at: float | None = None  # monotonic
        self.began_at: float | None = None  # monotonic: when the worker called target
        self._pool = pool
        self._lock = threading.Lock()
        self._ended = threading.Event()
        self._status: JobStatus = "pending"
        self._times: list[float | None] = [None, None]  # started_at, finished_at (wall clock)
        self._runs: dict[str, LiveRun] = {}
        self._published: dict[str, Any] = {}
        self._result: Any = None
        self._error: str | None = None
        self._message: str | None = None
        self._queue_position: int | None = None
        self._paused = False
        self._stepping = False
        self._version = 0

    def start(self) -> TrainingJob:
        from lstm_core.worker_pool import default_pool  # the pool imports this module

        self._pool = self._pool or default_pool()
        self._change(lambda: self._times.__setitem__(0, time.time()))
        self._pool.submit(self)
        return self

    def stop(self) -> None:
        """Stop the job: at once if it waits for a worker, else within about a second; returns at once."""
        if self.stop_requested_at is None and not self._ended.is_set():
            self.stop_requested_at = time.monotonic()
            self._change(lambda: None)
            if self._pool is not None:
                self._pool.stop(self)

    def pause(self) -> None:
        """Hold training after the current optimiser step (the worker waits; Stop still works)."""
        self._control(paused=True, stepping=False)

    def resume(self) -> None:
        self._control(paused=False, stepping=False)

    def step(self) -> None:
        """While paused: train until the current epoch ends, then hold again."""
        if self._paused:
            self._control(paused=True, stepping=True)

    def _control(self, paused: bool, stepping: bool) -> None:
        if self._ended.is_set():
            return

        def change() -> None:
            self._paused, self._stepping = paused, stepping

        self._change(change)
        if self._pool is not None and hasattr(self._pool, "control"):
            self._pool.control(self)

    @property
    def finishing(self) -> bool:
        """Its latest run has ended training (reported its History): the job is judging the result
        or starting its next run, not ignoring a Stop."""
        with self._lock:
            return bool(self._runs) and self._runs[next(reversed(self._runs))].history is not None

    @property
    def controls(self) -> tuple[bool, bool]:
        """(paused, stepping) as the page last set them."""
        return self._paused, self._stepping

    def touch(self) -> None:
        """Record that a page still shows this job (the reaper stops jobs nobody polls)."""
        self.last_seen = time.monotonic()
        self.orphaned = False  # set when the reaper stopped it (nobody polled it any more)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the job to end; True if it has."""
        return self._ended.wait(timeout)

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            runs = {rid: r.snapshot(rid) for rid, r in self._runs.items()}
            latest = runs[next(reversed(runs))] if runs else NO_RUN
            return JobSnapshot(
                self._status, self._times[0], self._times[1], latest.start, latest.last_batch, latest.epochs,
                latest.evals, dict(self._published), latest.history, self._result, self._error,
                self.stop_requested_at is not None, self._version, tuple(runs), MappingProxyType(runs),
                self._queue_position, self._message, self.job_id,
                self._paused and self._status in ("pending", "running"), self._stepping,
            )

    # ---------------------------------------------------------- called by the pool's thread

    def _change(self, change: Callable[[], object]) -> None:
        with self._lock:
            change()
            self._version += 1

    def _set_queue_position(self, position: int | None) -> None:
        if position != self._queue_position:
            self._change(lambda: setattr(self, "_queue_position", position))

    def _began(self) -> None:
        self.began_at = time.monotonic()
        self._change(lambda: setattr(self, "_status", "running"))

    def _apply(self, records: list[tuple[str, str, Any]], published: dict[str, Any]) -> None:
        def change() -> None:
            for run_id, kind, record in records:
                self._runs.setdefault(run_id, LiveRun()).apply(kind, record)
                if kind in ("epoch", "history"):
                    self._stepping = False  # the worker holds again after the epoch it was let run
            self._published.update(published)

        self._change(change)

    def _finish(self, status: JobStatus, result: Any = None, error: str | None = None,
                message: str | None = None) -> None:
        if self._ended.is_set():
            return

        def change() -> None:
            self._status, self._result, self._error, self._message = status, result, error, message
            self._times[1], self._queue_position = time.time(), None

        self._change(change)
        self._ended.set()


@dataclass(frozen=True)
class EndedJob:
    """What a pool remembers of a job that has ended (for a reloaded page): never its result."""

    job_id: str
    created: float
    orphaned: bool
    status: JobStatus
    ended: bool = True
    still_wanted: None = None

    def stop(self) -> None:
        """Nothing to stop: it has ended."""
