"""Per-session training jobs (in worker processes), drawn live from a fragment.

A page starts a ``lstm_core.jobs.TrainingJob`` with ``start_job(key, fn, *args)``: ``fn`` is a
module-level function (``ui.job_targets``) that a worker process of the server's pool runs. The
job object lives in ``st.session_state`` so it survives reruns, widget clicks and page switches.
The page draws it with ``ui.training_panel`` (controls and status line, outcome, live charts):
while the job runs, the status is redrawn every ``STATUS_EVERY`` seconds and the charts every
``CHARTS_EVERY``, each inside a fragment (only that part of the page refreshes); when the job
ends the whole page reruns once so it can show the results.

Each poll is a heartbeat: the pool's reaper stops a job that nobody has polled for
``LSTM_STUDIO_ORPHAN_AFTER`` seconds (10 by default) once its browser session has gone (a tab
hidden in the background keeps its session, and its job). The job's id also goes into the page's
URL (``?job=``): a reloaded tab is a new session that cannot reach the old job, but it finds the
id there, stops that job at once if it still runs, and says so.

One job per browser session at a time: ``start_job`` refuses while another page's job runs.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from lstm_core.jobs import JobSnapshot, TrainingJob
from lstm_core.worker_pool import WorkerPool, default_pool
from ui.state import COMPARE_JOB, MNIST_JOB, STOCK_JOB

JOB_KEYS = (STOCK_JOB, MNIST_JOB, COMPARE_JOB)
_PAGE_NAMES = {STOCK_JOB: "Forecast", MNIST_JOB: "MNIST classifier", COMPARE_JOB: "Compare models"}
ORPHAN_ENV = "LSTM_STUDIO_ORPHAN_AFTER"
URL_PARAM = "job"  # the running job's id in the page's address, for a reloaded tab to find
_EARLIER_NOTED = "jobs.earlier_noted"  # this session has looked for an earlier run of its tab


def pool() -> WorkerPool:
    """The server's worker pool (created with its warm worker the first time a page asks)."""
    return default_pool(preload=("ui.job_targets",))


def orphan_after() -> float:
    raw = os.environ.get(ORPHAN_ENV, "10")
    try:
        return max(0.5, float(raw))
    except ValueError:
        return 10.0


def get_job(key: str) -> TrainingJob | None:
    return st.session_state.get(key)


def running_job() -> str | None:
    """The key of this session's running job, if any."""
    for key in JOB_KEYS:
        job = get_job(key)
        if job is not None and job.snapshot().running:
            return key
    return None


def _session_probe() -> Callable[[], bool] | None:
    """A check that this browser session is still connected; None without a Streamlit server
    (AppTest runs pages with no browser, so there is no session to lose: no reaping there)."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return None
    server, session_id = runtime.get_instance(), ctx.session_id
    return lambda: server.is_active_session(session_id)


def train_blocked() -> str | None:
    """Why Train must wait, or None: this session trains already, on any page (one run per browser
    session). Every page's Train button is off with this as its help while it is not None."""
    busy = running_job()
    if busy is None:
        return None
    return (f"A training run is already going on the {_PAGE_NAMES.get(busy, busy)} page: stop it or wait "
            "for it to finish (one run per browser session).")


def start_job(key: str, target: Callable[..., Any], *args: Any) -> TrainingJob | None:
    """Start ``target(ctx, *args)`` as this session's job under ``key``; None (with a message) if
    one runs already."""
    blocked = train_blocked()
    if blocked is not None:
        st.warning(blocked)
        return None
    probe = _session_probe()
    job = TrainingJob(target, args, name=key, pool=pool(), orphan_after=orphan_after() if probe else None,
                      still_wanted=probe).start()
    st.session_state[key] = job
    st.session_state[_EARLIER_NOTED] = True
    st.query_params[URL_PARAM] = job.job_id
    return job


def note_earlier_run() -> None:
    """Once per session: if the address names a job of another (gone) session, stop it if it
    still runs and tell the user what became of it."""
    if st.session_state.get(_EARLIER_NOTED):
        return
    st.session_state[_EARLIER_NOTED] = True
    job_id = st.query_params.get(URL_PARAM)
    if not job_id:
        return
    del st.query_params[URL_PARAM]
    job = pool().find(job_id)
    if job is None or any(get_job(k) is job for k in JOB_KEYS):
        return
    deadline = time.monotonic() + 1.0  # a reload: the old tab's connection may take a moment to close
    while job.still_wanted is not None and job.still_wanted():
        if time.monotonic() > deadline:
            return  # its own tab is still open (the address was copied): not ours to stop
        time.sleep(0.1)
    if not job.ended:
        job.orphaned = True
        job.stop()
    if job.orphaned:
        started = time.strftime("%H:%M:%S", time.localtime(job.created))
        st.warning(f"Your earlier training run (started {started}) was stopped when its page was reloaded "
                   "or closed: a run lives only as long as its page.")


def format_seconds(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "…"
    if seconds < 10:
        return f"{seconds:.1f} s"
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def waiting_line(snap: JobSnapshot) -> None:
    """While a job has no worker yet: its place in the queue (every worker is busy training)."""
    if snap.status == "pending" and snap.queue_position is not None:
        st.info(f"Waiting for a free worker: {ordinal(snap.queue_position)} in line. Every worker of "
                "this server is training; yours starts when one is free.", icon=":material/hourglass_top:")


def finished_result(key: str, recorded_key: str) -> Any | None:
    """The result of the job under ``key`` the first time it is seen done, else None.

    Call it before a new job may start under ``key``, so a run that ended just before the
    user pressed Train again is still recorded.
    """
    job = get_job(key)
    if job is None or job.snapshot().status != "done" or st.session_state.get(recorded_key) is job:
        return None
    st.session_state[recorded_key] = job
    return job.snapshot().result


# Seconds between live redraws of the status line and of the charts. Charts cost the browser more
# (bench/bench_live_page.py: Chromium used 18 s of CPU with both at 0.5 s, 13 s with charts at 1 s,
# over a 25 s MNIST run on the 2 cores that training uses too).
STATUS_EVERY, CHARTS_EVERY = 0.5, 1.0
