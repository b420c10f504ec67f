"""Per-session background training, drawn live from a fragment.

A page starts a ``lstm_core.jobs.TrainingJob`` with ``start_job``; the job object lives
in ``st.session_state`` so it survives reruns, widget clicks and page switches. The page
then calls ``live(key, draw, charts)`` (or ``training_tab``): while the job runs,
``draw(snapshot)`` (the status) is re-run every half second and ``charts(snapshot)`` every
two seconds, each inside a fragment (only that part of the page refreshes); when the job
ends the whole page reruns once so it can show the results.

One job per browser session at a time: ``start_job`` refuses while another page's job runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import streamlit as st

from lstm_core.jobs import JobContext, JobSnapshot, TrainingJob
from ui.state import COMPARE_JOB, MNIST_JOB, STOCK_JOB

JOB_KEYS = (STOCK_JOB, MNIST_JOB, COMPARE_JOB)
_PAGE_NAMES = {STOCK_JOB: "Stock forecast", MNIST_JOB: "MNIST classifier", COMPARE_JOB: "Compare models"}


def get_job(key: str) -> TrainingJob | None:
    return st.session_state.get(key)


def running_job() -> str | None:
    """The key of this session's running job, if any."""
    for key in JOB_KEYS:
        job = get_job(key)
        if job is not None and job.snapshot().running:
            return key
    return None


def start_job(key: str, target: Callable[[JobContext], Any]) -> TrainingJob | None:
    """Start ``target`` as this session's job under ``key``; None (with a message) if one runs."""
    busy = running_job()
    if busy is not None:
        st.warning(
            f"A training run is already going on the {_PAGE_NAMES.get(busy, busy)} page: "
            "stop it or wait for it to finish (one run per browser session)."
        )
        return None
    job = TrainingJob(target, name=key).start()
    st.session_state[key] = job
    return job


_END_WORDS = {
    "completed": "done",
    "early_stopping": "ended by early stopping",
    "stopped": "stopped",
    "max_steps": "step budget reached",
    "diverged": "diverged",
}


def format_seconds(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "…"
    if seconds < 10:
        return f"{seconds:.1f} s"
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


def progress_bar(snap: JobSnapshot) -> None:
    """Progress with epoch, elapsed time and ETA."""
    epochs = snap.start.cfg.epochs if snap.start else 0
    epoch = snap.last_batch.epoch if snap.last_batch else (snap.epochs[-1].epoch if snap.epochs else 0)
    if snap.epochs and snap.epochs[-1].epoch >= epoch:
        epoch = snap.epochs[-1].epoch
    eta = snap.last_batch.eta if snap.last_batch else (snap.epochs[-1].eta if snap.epochs else math.nan)
    # Once training has ended, the time fit() took: the figure the outcome line gives too.
    elapsed = snap.history.elapsed if snap.history is not None else snap.elapsed
    text = f"Epoch {epoch} / {epochs} · elapsed {format_seconds(elapsed)}"
    if snap.running:
        text += f" · ETA {format_seconds(eta)}" + (" · stopping…" if snap.stop_requested else "")
    elif snap.history is not None:
        text += f" · {_END_WORDS.get(snap.history.stop_reason, 'finished')}"
    st.progress(snap.fraction, text=text)


def stop_button(key: str, label: str = "Stop") -> None:
    """A Stop button for the job under ``key``, active while it runs."""
    job = get_job(key)
    running = job is not None and job.snapshot().running
    if st.button(label, key=f"{key}.stop", disabled=not running, icon=":material/stop:") and job:
        job.stop()


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


def live(
    key: str,
    draw: Callable[[JobSnapshot], None],
    charts: Callable[[JobSnapshot], None] | None = None,
    first: JobSnapshot | None = None,
) -> JobSnapshot | None:
    """Draw the job under ``key``; live-refresh while it runs. Returns the snapshot drawn first.

    ``draw`` (status) is redrawn every ``STATUS_EVERY`` seconds, ``charts`` every
    ``CHARTS_EVERY``. Pass the page's own snapshot as ``first`` when the page acted on it: if
    the job ends between two snapshots, the status fragment still ticks once more and reruns
    the page.
    """
    job = get_job(key)
    if job is None:
        return None
    first = first or job.snapshot()

    @st.fragment(run_every=STATUS_EVERY if first.running else None)
    def status() -> None:
        snap = job.snapshot()
        draw(snap)
        if first.running and not snap.running:
            st.rerun()  # the whole page, so that it can show the finished results

    @st.fragment(run_every=CHARTS_EVERY if first.running else None)
    def chart_panel() -> None:
        charts(job.snapshot())  # type: ignore[misc]

    status()
    if charts is not None:
        chart_panel()
    return first


def training_tab(
    key: str,
    draw: Callable[[JobSnapshot], None],
    charts: Callable[[JobSnapshot], None],
    outcome: Callable[[Any], None],
    idle: str,
) -> None:
    """A Training tab: ``idle`` before any run, else ``draw`` and ``charts`` live and, once done,
    ``outcome(result)``."""
    job = get_job(key)
    if job is None:
        st.info(idle)
        return
    snap = job.snapshot()
    live(key, draw, charts, first=snap)  # the same snapshot decides the outcome line below
    if snap.status == "done":
        outcome(snap.result)
