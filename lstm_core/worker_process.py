"""One training worker process as the pool sees it, and how such processes are started.

Split out of lstm_core.worker_pool (which owns the workers and their jobs); the code that runs
inside the process is lstm_core.worker_main.
"""

from __future__ import annotations

import os
import pickle
import threading
import time
from multiprocessing import spawn
from typing import Any

from lstm_core.jobs import TrainingJob
from lstm_core.worker_main import worker_main

WORKERS_ENV = "LSTM_STUDIO_WORKERS"
WORKER_NAME = "lstm-studio-worker"
_PICKLE = pickle.HIGHEST_PROTOCOL


def _without_main(get_preparation_data):  # type: ignore[no-untyped-def]
    """multiprocessing makes every child re-run the parent's ``__main__`` (for a forkserver or
    spawn start). In a Streamlit server ``__main__`` is whichever page script ran last (Streamlit
    swaps it per run), so a worker would run a page. Our workers import what they need by name:
    leave ``__main__`` out of their preparation data (other processes are untouched)."""

    def preparation_data(name: str) -> dict:
        data = get_preparation_data(name)
        if name.startswith(WORKER_NAME):
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
        return data

    preparation_data.lstm_studio = True  # type: ignore[attr-defined]
    return preparation_data


if not getattr(spawn.get_preparation_data, "lstm_studio", False):
    spawn.get_preparation_data = _without_main(spawn.get_preparation_data)


def pool_size() -> int:
    """Workers allowed: ``LSTM_STUDIO_WORKERS`` if set (>= 1), else the machine's core count."""
    raw = os.environ.get(WORKERS_ENV, "").strip()
    if not raw:
        return max(1, os.cpu_count() or 1)
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{WORKERS_ENV} must be a whole number >= 1, got {raw!r}.")
    return int(raw)




class Worker:
    """One worker process, its pipes and events, and the job it runs (owned by the pool thread)."""

    def __init__(self, ctx: Any) -> None:
        tasks_r, self.tasks = ctx.Pipe(duplex=False)
        self.conn, out_w = ctx.Pipe(duplex=False)
        self.stop_event, self.pause_event, self.step_event = ctx.Event(), ctx.Event(), ctx.Event()
        events = (self.stop_event, self.pause_event, self.step_event)
        self.process = ctx.Process(target=worker_main, args=(tasks_r, out_w, *events),
                                   name=WORKER_NAME, daemon=True)
        self.process.start()
        tasks_r.close()
        out_w.close()
        self.ready, self.retiring, self.eof = False, False, False
        self.job: TrainingJob | None = None
        self.terminated_at: float | None = None
        self.idle_since = time.monotonic()

    def give(self, job: TrainingJob) -> None:
        self.job = job
        self.stop_event.clear()
        self.apply_controls()
        message = pickle.dumps(("job", job.job_id, job.seed, job.payload), _PICKLE)
        # A big payload blocks until the worker reads it (a starting worker reads it after its
        # warm-up): send from a short-lived thread so the pool thread keeps serving.
        threading.Thread(target=self._send, args=(message,), daemon=True).start()

    def apply_controls(self) -> None:
        """Pause / Step as the job's page last set them (the worker's gate reads these events)."""
        paused, stepping = self.job.controls if self.job is not None else (False, False)
        for event, on in ((self.pause_event, paused), (self.step_event, stepping)):
            event.set() if on else event.clear()

    def _send(self, message: bytes) -> None:
        try:
            self.tasks.send_bytes(message)
        except OSError:
            pass  # the worker died: the pool thread sees its sentinel

    def retire(self) -> None:
        self.retiring = True
        self._send(pickle.dumps(("exit",), _PICKLE))
