"""A pool of training worker processes for ``lstm_core.jobs.TrainingJob``.

At most ``size`` workers (one per core by default; ``LSTM_STUDIO_WORKERS`` sets it), each a
child process that runs one job at a time with one torch thread and its own seeded random
generators. Jobs beyond the pool wait in a queue that knows their place. One daemon thread of
the server owns the pool: it starts workers, reads their pipes, hands out queued jobs,
terminates a worker that does not stop within ``hard_stop_after`` seconds of a Stop, notices a
worker that died (its job fails with the exit code in words, a new worker takes its place) and
reaps jobs whose page has stopped polling.

Workers come from a 'forkserver' (``LSTM_STUDIO_START_METHOD`` may say 'spawn'): never 'fork',
as the Streamlit server is multi-threaded. The fork server imports torch once; each worker then
warms up (a tiny forward, backward and optimiser step) and one such warm worker is kept idle, so
a job's first record reaches the page a fraction of a second after Train.

Wire format, both ways: ``pickle`` bytes over one-way pipes (never shared-memory tensors).
Worker -> pool: ("ready",), ("began", id), ("records", id, [(run, kind, record)], {key: bytes}),
("result", id, bytes) or ("error", id, text). Pool -> worker: ("job", id, seed, payload), ("exit",).
"""

from __future__ import annotations

import atexit
import collections
import multiprocessing as mp
import os
import pickle
import threading
import time
import traceback
from multiprocessing import connection

from lstm_core.jobs import (
    STOPPED_HARD,
    STOPPED_UNSTARTED,
    EndedJob,
    TrainingJob,
    worker_died_message,
)
from lstm_core.worker_process import WORKER_NAME, WORKERS_ENV, Worker, pool_size

__all__ = ["FINISH_GRACE", "PRELOAD", "WORKERS_ENV", "WORKER_NAME", "WorkerPool", "default_pool", "pool_size"]

START_METHOD_ENV = "LSTM_STUDIO_START_METHOD"
# Imported once, in the fork server, so that a new worker starts warm. torch._dynamo: the first
# optimiser imports it (800 modules, seconds). The pool adds its own modules, then
# lstm_core._forkserver_ready (gc.freeze) last.
PRELOAD = ("torch", "torch._dynamo", "numpy", "pandas", "lstm_core.training", "lstm_core.worker_main")
IDLE_RETIRE = 60.0  # seconds an idle worker beyond the spares is kept before it is ended
FINISH_GRACE = 30.0  # seconds a stopped job whose training has ended may take to send its result
TICK = 0.1  # the pool thread's longest sleep: stop deadlines and the reaper are checked this often
_PICKLE = pickle.HIGHEST_PROTOCOL


class WorkerPool:
    """Runs ``TrainingJob``s in at most ``size`` worker processes, queueing the rest.

    ``spares`` idle warm workers are kept while there is room; ``hard_stop_after`` is how long a
    Stop waits for a running job to end by itself before its worker is terminated.
    """

    def __init__(self, size: int | None = None, *, spares: int = 1, hard_stop_after: float = 1.0,
                 preload: tuple[str, ...] = (), start_method: str | None = None) -> None:
        self.size = pool_size() if size is None else size
        if self.size < 1:
            raise ValueError(f"A worker pool needs at least one worker, got {self.size}.")
        self.spares, self.hard_stop_after = min(spares, self.size), hard_stop_after
        method = start_method or os.environ.get(START_METHOD_ENV) or "forkserver"
        if method not in ("forkserver", "spawn"):
            raise ValueError(f"{START_METHOD_ENV} must be 'forkserver' or 'spawn', got {method!r}.")
        self._ctx = mp.get_context(method)
        if method == "forkserver":
            self._ctx.set_forkserver_preload([*PRELOAD, *preload, "lstm_core._forkserver_ready"])
        self._workers: list[Worker] = []
        self._queue: collections.deque[TrainingJob] = collections.deque()
        self._inbox: collections.deque[tuple[str, TrainingJob]] = collections.deque()
        self._jobs: collections.OrderedDict[str, TrainingJob | EndedJob] = collections.OrderedDict()
        self._jobs_lock = threading.Lock()
        self._wake_r, self._wake_w = mp.Pipe(duplex=False)
        self._closed = False
        self._start_failures = 0
        self._thread = threading.Thread(target=self._loop, name="lstm-studio-pool", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ any thread

    def submit(self, job: TrainingJob) -> None:
        if self._closed:
            raise RuntimeError("This worker pool has been closed.")
        with self._jobs_lock:
            self._jobs[job.job_id] = job
        self._post("submit", job)

    def stop(self, job: TrainingJob) -> None:
        self._post("stop", job)

    def control(self, job: TrainingJob) -> None:
        """Pass the job's Pause / Resume / Step to its worker (a queued job takes them along)."""
        self._post("control", job)

    def find(self, job_id: str) -> TrainingJob | EndedJob | None:
        """A job of this pool: the job while it runs or waits, a summary once it has ended (the last
        few hundred; the summary holds no result, so the pool never keeps a model alive)."""
        with self._jobs_lock:
            return self._jobs.get(job_id)

    def worker_pids(self) -> list[int]:
        return [w.process.pid for w in list(self._workers) if w.process.pid is not None]

    def busy(self) -> int:
        return sum(w.job is not None for w in list(self._workers))

    def close(self) -> None:
        """Stop the pool thread and end every worker (their jobs end 'stopped')."""
        self._closed = True
        self._wake()
        self._thread.join(10)

    def _post(self, what: str, job: TrainingJob) -> None:
        self._inbox.append((what, job))
        self._wake()

    def _wake(self) -> None:
        try:
            self._wake_w.send_bytes(b"")
        except OSError:
            pass

    # ------------------------------------------------------------ the pool thread

    def _loop(self) -> None:
        while not self._closed:
            try:
                self._tick()
            except Exception:  # noqa: BLE001 - the pool must outlive one bad message
                if not self._closed:
                    traceback.print_exc()
                time.sleep(TICK)
        for w in self._workers:
            w.process.kill()
            w.process.join(5)
            if w.job is not None:
                w.job._finish("stopped", message="The server is shutting down its training workers.")
        for job in self._queue:
            job._finish("stopped", message=STOPPED_UNSTARTED)

    def _tick(self) -> None:
        self._handle_inbox()
        self._dispatch()
        self._maintain()
        waitables = [self._wake_r] + [w.conn for w in self._workers if not w.eof]
        waitables += [w.process.sentinel for w in self._workers]
        for ready in connection.wait(waitables, timeout=TICK):
            if ready is self._wake_r:
                while self._wake_r.poll():
                    self._wake_r.recv_bytes()
        for w in list(self._workers):
            self._drain(w)
            if w.process.exitcode is not None:
                self._buried(w)
        self._enforce_stops()
        self._reap()
        self._forget_results()

    def _handle_inbox(self) -> None:
        while self._inbox:
            what, job = self._inbox.popleft()
            if what == "submit":
                self._queue.append(job)
            elif what == "control":
                for w in self._workers:
                    if w.job is job:
                        w.apply_controls()
            elif job in self._queue:  # a Stop for a job that has no worker yet
                self._queue.remove(job)
                job._finish("stopped", message=STOPPED_UNSTARTED)
            else:
                for w in self._workers:
                    if w.job is job:
                        w.stop_event.set()

    def _forget_results(self) -> None:
        with self._jobs_lock:
            for job_id, job in list(self._jobs.items()):
                if isinstance(job, TrainingJob) and job.ended:
                    self._jobs[job_id] = EndedJob(job_id, job.created, job.orphaned, job.snapshot().status)
            while len(self._jobs) > 256 and isinstance(next(iter(self._jobs.values())), EndedJob):
                self._jobs.popitem(last=False)

    def _dispatch(self) -> None:
        free = [w for w in self._workers if w.job is None and not w.retiring]
        while self._queue and free:
            free.pop(0).give(self._queue.popleft())
        for position, job in enumerate(self._queue, start=1):
            job._set_queue_position(position)

    def _maintain(self) -> None:
        active = [w for w in self._workers if not w.retiring]
        free = [w for w in active if w.job is None]
        wanted = min(self.size, len(active) - len(free) + len(self._queue) + self.spares)
        if self._start_failures >= 3:
            for job in self._queue:
                job._finish("failed", error="No training worker could be started on the server.")
            self._queue.clear()
            return
        for _ in range(wanted - len(active)):
            self._workers.append(Worker(self._ctx))
        idle = sorted((w for w in free if w.ready), key=lambda w: w.idle_since)
        long_idle = idle and time.monotonic() - idle[0].idle_since > IDLE_RETIRE
        if not self._queue and len(idle) > self.spares and long_idle:
            idle[0].retire()

    def _drain(self, w: Worker) -> None:
        try:
            while not w.eof and w.conn.poll():
                self._handle(w, pickle.loads(w.conn.recv_bytes()))
        except (EOFError, OSError):
            w.eof = True

    def _handle(self, w: Worker, message: tuple) -> None:
        kind, job = message[0], w.job
        if kind == "ready":
            w.ready, self._start_failures = True, 0
        elif job is None or message[1] != job.job_id:
            return
        elif kind == "began":
            job._began()
        elif kind == "records":
            job._apply(message[2], {key: pickle.loads(value) for key, value in message[3].items()})
        else:
            w.job, w.idle_since = None, time.monotonic()
            w.stop_event.clear()
            w.apply_controls()
            if kind == "error":
                job._finish("failed", error=message[2])
                return
            try:
                result = pickle.loads(message[2])
            except Exception as exc:  # noqa: BLE001 - e.g. a class the server cannot import
                job._finish("failed", error=f"Training failed with an internal error: its result could not "
                                            f"be read back ({type(exc).__name__}: {exc}).")
            else:
                job._finish("done", result=result)

    def _buried(self, w: Worker) -> None:
        """A worker has ended: fail (or mark stopped) its job and let ``_maintain`` replace it."""
        w.process.join()
        self._workers.remove(w)
        for conn in (w.conn, w.tasks):
            conn.close()
        if not w.ready and not w.retiring:
            self._start_failures += 1
        job = w.job
        if job is None:
            return
        if job.stop_requested_at is not None:
            job._finish("stopped", message=STOPPED_HARD.format(after=self.hard_stop_after))
        else:
            job._finish("failed", error=worker_died_message(w.process.exitcode))

    def _enforce_stops(self) -> None:
        now = time.monotonic()
        for w in self._workers:
            job = w.job
            if job is None or job.stop_requested_at is None or job.began_at is None:
                continue
            waited = now - max(job.stop_requested_at, job.began_at)
            # A job whose training has ended (its latest run reported how fit ended) is judging and
            # packing its result: let it finish, up to FINISH_GRACE s, so that Stop keeps the result.
            limit = FINISH_GRACE if job.finishing else self.hard_stop_after
            if w.terminated_at is None and waited > limit:
                w.process.terminate()
                w.terminated_at = now
            elif w.terminated_at is not None and now - w.terminated_at > 1.0:
                w.process.kill()

    def _reap(self) -> None:
        now = time.monotonic()
        for job in [w.job for w in self._workers if w.job is not None] + list(self._queue):
            if job.orphan_after is None or job.stop_requested_at is not None:
                continue
            if now - job.last_seen > job.orphan_after and not (job.still_wanted and job.still_wanted()):
                job.orphaned = True
                job.stop()


_DEFAULT: WorkerPool | None = None
_DEFAULT_LOCK = threading.Lock()


def default_pool(preload: tuple[str, ...] = ()) -> WorkerPool:
    """The process-wide pool (created, with its warm worker, on first use)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = WorkerPool(preload=preload)
            atexit.register(_DEFAULT.close)  # before multiprocessing's own exit handler shuts the fork server
        return _DEFAULT
