"""The worker side of lstm_core.worker_pool: one process that runs training jobs one at a time.

It warms up (torch's lazy first-use costs), says "ready", then takes jobs from its task pipe:
seeds every generator with the job's seed, keeps torch to one thread, runs ``target(ctx, *args)``
and sends back what the job reports (in bursts, see ``_Outbox``) and then its result or error.
It exits when told to or when the server has gone (its pipes close).
"""

from __future__ import annotations

import os
import pickle
import threading
import traceback
from multiprocessing import connection
from typing import Any

from lstm_core.jobs import JobContext

FLUSH_EVERY = 0.05  # seconds between two sends of a worker's buffered records (first ones at once)
_PICKLE = pickle.HIGHEST_PROTOCOL


class _Outbox:
    """Buffers what a job reports and sends it in bursts: ``TrainStart``, epochs and the end at
    once, batch records (only the latest per run) and published values (latest per key) at most
    every ``FLUSH_EVERY`` s, so a fast loop does not pay a pipe write per batch."""

    def __init__(self, conn: connection.Connection) -> None:
        self.conn, self.job_id = conn, ""
        self._lock, self._wake = threading.Lock(), threading.Event()
        self._records: list[tuple[str, str, Any]] = []
        self._batches: dict[str, Any] = {}
        self._published: dict[str, bytes] = {}
        threading.Thread(target=self._flusher, name="outbox", daemon=True).start()

    def record(self, run_id: str, kind: str, record: Any) -> None:
        with self._lock:
            if kind == "batch":
                self._batches[run_id] = record
                return
            self._records.append((run_id, kind, record))
        self._wake.set()

    def publish(self, key: str, value: Any) -> None:
        data = pickle.dumps(value, _PICKLE)  # now: later changes to value are not sent
        with self._lock:
            self._published[key] = data

    def send(self, message: tuple) -> None:
        with self._lock:
            self.conn.send_bytes(pickle.dumps(message, _PICKLE))

    def flush(self) -> None:
        with self._lock:  # held while sending, so bursts arrive in order
            if self._records or self._batches or self._published:
                records = self._records + [(run, "batch", b) for run, b in self._batches.items()]
                message = ("records", self.job_id, records, self._published)
                self._records, self._batches, self._published = [], {}, {}
                self.conn.send_bytes(pickle.dumps(message, _PICKLE))

    def _flusher(self) -> None:
        while True:
            self._wake.wait(FLUSH_EVERY)
            self._wake.clear()
            try:
                self.flush()
            except OSError:  # the server has gone: nobody will read this job
                os._exit(0)
            except Exception:  # noqa: BLE001 - keep flushing; the job's end reports the failure
                traceback.print_exc()


class PauseGate:
    """The stop event a job's ``fit`` gets in a worker, with Pause / Resume / Step.

    ``fit`` asks ``is_set()`` after every optimiser step: while the page has paused the job this
    waits (Stop still ends the wait at once), so training holds between two steps with its
    records already sent. A Step lets training run until the current epoch's end, which the
    job's callbacks report through ``epoch_ended`` (lstm_core.jobs.RunCallback).
    """

    POLL = 0.02  # seconds between looks at the events while paused

    def __init__(self, stop: Any, pause: Any, step: Any) -> None:
        self._stop, self._pause, self._step = stop, pause, step

    def is_set(self) -> bool:
        while self._pause.is_set() and not self._step.is_set() and not self._stop.is_set():
            self._stop.wait(self.POLL)
        return self._stop.is_set()

    def set(self) -> None:
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._stop.wait(timeout)

    def epoch_ended(self) -> None:
        if self._pause.is_set():
            self._step.clear()  # the epoch a Step let through is done: hold again


def _warm_up() -> None:
    """Pay torch's lazy first-use costs (autograd, optimiser) before any job arrives."""
    import torch

    torch.set_num_threads(1)
    lstm = torch.nn.LSTM(1, 2, batch_first=True)
    opt = torch.optim.Adam(lstm.parameters())
    lstm(torch.zeros(2, 3, 1))[0].sum().backward()
    opt.step()


def _run_job(job_id: str, seed: int, payload: bytes, stop_event: PauseGate, outbox: _Outbox) -> tuple:
    import torch

    from lstm_core.training import seed_everything

    torch.set_num_threads(1)  # small recurrent nets: one thread per job, one job per core
    seed_everything(seed)  # this process's generators belong to this job alone
    try:
        target, args = pickle.loads(payload)
        result = target(JobContext(outbox, stop_event), *args)
        outbox.flush()
        return ("result", job_id, pickle.dumps(result, _PICKLE))
    except ValueError as exc:
        return ("error", job_id, str(exc))
    except BaseException as exc:  # noqa: BLE001 - the page must show a message, not wait forever
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return ("error", job_id, f"Training failed with an internal error: {detail}")


def worker_main(tasks: connection.Connection, out: connection.Connection, stop_event: Any,
                pause_event: Any, step_event: Any) -> None:
    _warm_up()
    gate = PauseGate(stop_event, pause_event, step_event)
    outbox = _Outbox(out)
    outbox.send(("ready",))
    while True:
        try:
            message = pickle.loads(tasks.recv_bytes())
        except (EOFError, OSError):  # the server has gone
            return
        if message[0] == "exit":
            return
        _, job_id, seed, payload = message
        outbox.job_id = job_id
        outbox.send(("began", job_id))
        outcome = _run_job(job_id, seed, payload, gate, outbox)
        outbox.flush()
        outbox.send(outcome)
