"""One training panel for every page: controls with the status line, the outcome line, live charts.

Usage (any page; ``KEY`` is the page's job key in ui.state)::

    from ui import training_panel as panel

    left, right = st.columns([1, 5], vertical_alignment="center")
    pressed = left.button("Train", type="primary", key="mnist.train", disabled=configs is None)
    if pressed:
        start_job(KEY, mnist_job.mnist_job, ...)           # ui.jobs
    with right:
        panel.controls(KEY, detail=view.status_detail)       # Pause/Resume · Step · Stop · progress
    panel.outcome(KEY, view.judge)                           # the outcome line of the run that ended
    with st.tabs([...])[0]:
        panel.charts(KEY, view.draw_charts, idle="Press Train ...")

``judge(result) -> Outcome`` says how a finished run went; build it with ``ended(history,
verdict=...)`` so that a diverged run reads the same, in the same colour, on every page. The
controls and the charts are fragments that refresh while the job runs (the status every
``ui.jobs.STATUS_EVERY`` s, the charts every ``ui.jobs.CHARTS_EVERY`` s); when the job ends,
the whole page reruns once to show the results. Pause holds training between two optimiser
steps; Step (while paused) trains until the current epoch ends and holds again; Stop ends the
run and keeps its best weights.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st

from lstm_core.jobs import JobSnapshot
from lstm_core.progress import History
from ui.jobs import (
    CHARTS_EVERY,
    STATUS_EVERY,
    URL_PARAM,
    format_seconds,
    get_job,
    note_earlier_run,
    waiting_line,
)

Level = Literal["success", "info", "warning", "error"]
_ICONS = {"success": ":material/check_circle:", "info": ":material/info:", "warning": ":material/warning:",
          "error": ":material/error:"}
DIVERGED = "Diverged"  # the first word of a diverged run's outcome line, on every page


@dataclass(frozen=True)
class Outcome:
    """How a run ended, as one coloured line: ``level`` picks the colour, ``text`` leads with the
    verdict; ``details`` are smaller lines under it."""

    level: Level
    text: str
    details: tuple[str, ...] = ()


def ended(history: History, verdict: Outcome | None = None) -> Outcome:
    """The outcome of a finished run: a divergence first (always an error, in the same words on
    every page), else ``verdict`` (the page's judgement of the result) with how training ended
    as a detail, else how training ended."""
    if history.stop_reason == "diverged":
        return Outcome("error", f"{DIVERGED}: {_why_diverged(history.message)}")
    how = _how_it_ended(history)
    warning = str(getattr(history, "warning", "") or "")
    if verdict is not None:  # a run that went wrong is never green, whatever its kept weights score
        level: Level = "warning" if warning and verdict.level == "success" else verdict.level
        return Outcome(level, verdict.text, (*([warning] if warning else ()), how, *verdict.details))
    if warning:
        return Outcome("warning", warning, (how,))
    level = "success" if history.stop_reason in ("completed", "max_steps") else "info"
    return Outcome(level, how)


_TRAINER_SAYS = "training diverged:"  # how lstm_core's message starts (the command line prints it whole)


def _why_diverged(message: str) -> str:
    """The trainer's message without its own "Training diverged: " (the line leads with ``DIVERGED``
    already: it read "Diverged: Training diverged: the loss became NaN ...")."""
    text = message.strip()
    if text.lower().startswith(_TRAINER_SAYS):
        text = text[len(_TRAINER_SAYS):].lstrip()
    return text or "the loss became NaN or infinite."


def _how_it_ended(h: History) -> str:
    if not h.epochs and h.message:  # e.g. "not trained: validation part too short"
        return h.message[:1].upper() + h.message[1:] + "."
    kept = f" Kept the best weights (epoch {h.best_epoch})." if getattr(h, "restored_best", False) else ""
    if h.stop_reason in ("stopped", "early_stopping"):
        return f"{h.message}{kept}"
    return f"Trained {len(h.epochs)} epochs in {h.elapsed:.1f} s; best epoch {h.best_epoch}." + (
        " Its weights were restored." if kept else "")


def show_outcome(outcome: Outcome) -> None:
    getattr(st, outcome.level)(outcome.text, icon=_ICONS[outcome.level])
    for line in outcome.details:
        if line:
            st.caption(line)


def status_text(snap: JobSnapshot) -> str:
    """e.g. "Epoch 3 / 40 · elapsed 2.1 s · ETA 20 s", "Paused after epoch 5 of 40 · …"."""
    epochs = snap.start.cfg.epochs if snap.start else 0
    done = snap.epochs[-1].epoch if snap.epochs else 0
    epoch = snap.last_batch.epoch if snap.last_batch else done
    epoch = max(epoch, done)
    eta = snap.last_batch.eta if snap.last_batch else (snap.epochs[-1].eta if snap.epochs else math.nan)
    elapsed = snap.history.elapsed if snap.history is not None else snap.elapsed
    if snap.status == "pending":
        return "Waiting for a worker…"
    if snap.running and snap.paused and not snap.stepping and snap.start is None:
        return "Paused before training began · Step trains the first epoch, Resume goes on"
    if snap.running and snap.start is None:
        return "Preparing the data and the model…"
    if snap.running and snap.history is not None:
        took = format_seconds(snap.history.elapsed)
        if snap.paused and not snap.stepping:  # a job of several runs holds before its next one
            return f"Trained {len(snap.history.epochs)} epochs in {took} · paused · Step or Resume goes on"
        return f"Trained {len(snap.history.epochs)} epochs in {took} · judging the result…"
    if snap.running and snap.stepping:
        return f"Stepping: training epoch {done + 1} of {epochs}, then pausing again"
    if snap.running and snap.paused:
        step = f" (step {snap.last_batch.step:,})" if snap.last_batch else ""
        return (f"Paused after epoch {done} of {epochs}{step} · elapsed {format_seconds(elapsed)} · "
                "Step trains one more epoch, Resume goes on")
    if not snap.running and len(snap.run_ids) > 1:  # a job of several runs: the whole job, not its last run
        took = sum(r.history.elapsed for r in snap.runs.values() if r.history is not None)  # not time paused
        return f"{len(snap.run_ids)} runs · trained {format_seconds(took)} · {end_words(_job_end(snap))}"
    if not snap.running and snap.start is None and snap.status == "done":  # e.g. too little data to train
        return f"Finished without training the network in {format_seconds(snap.elapsed)} (the notes say why)"
    text = f"Epoch {epoch} / {epochs} · elapsed {format_seconds(elapsed)}"
    if snap.running:
        return text + f" · ETA {format_seconds(eta)}" + (" · stopping…" if snap.stop_requested else "")
    if snap.history is not None:
        return text + f" · {END_WORDS.get(snap.history.stop_reason, 'finished')}"
    return text + {"stopped": " · stopped", "failed": " · failed"}.get(snap.status, "")


# How a run ended, in the same words on every page (the status line, Compare's table and progress lines).
END_WORDS = {"completed": "done", "early_stopping": "done (early stopping)", "stopped": "stopped",
             "max_steps": "done (step budget)", "diverged": "diverged"}


def end_words(stop_reason: str) -> str:
    """``stop_reason`` (a History's, or a job's status) in words, e.g. "done (early stopping)"."""
    return END_WORDS.get(stop_reason, stop_reason)


def _job_end(snap: JobSnapshot) -> str:
    """How a job of several runs ended as a whole: the most serious end of any run (a job that failed,
    else a run that diverged, else one that was stopped), else its last run's end. A first model that
    diverged made three models read "3 runs · ... · done" from the last one."""
    ends = [r.history.stop_reason for rid in snap.run_ids if (r := snap.runs.get(rid)) and r.history]
    for worst in ("failed", "diverged", "stopped"):
        if worst in (snap.status, *ends):
            return worst
    return snap.history.stop_reason if snap.history is not None else snap.status


def _buttons(key: str, snap: JobSnapshot) -> None:
    """Pause / Resume, Step and Stop. Each acts in its click callback, before the controls redraw,
    so the buttons show the new state at once."""
    job = get_job(key)
    live = job is not None and snap.running and not snap.stop_requested
    act = (lambda name: (lambda: getattr(job, name)())) if job is not None else (lambda name: None)
    row = st.container(horizontal=True)  # wraps on a narrow screen (three columns cut the labels there)
    if snap.paused:
        row.button("Resume", key=f"{key}.resume", icon=":material/play_arrow:", disabled=not live,
                   help="Go on training.", on_click=act("resume"))
    else:
        row.button("Pause", key=f"{key}.pause", icon=":material/pause:", disabled=not live,
                   help="Hold training after the current optimiser step; the charts show where it is.",
                   on_click=act("pause"))
    row.button("Step", key=f"{key}.step", icon=":material/skip_next:",
               disabled=not (live and snap.paused and not snap.stepping),
               help="While paused: train one more epoch, then pause again.", on_click=act("step"))
    row.button("Stop", key=f"{key}.stop", icon=":material/stop:", disabled=not live,
               help="End the run now and keep its best weights.", on_click=act("stop"))


def controls(key: str, detail: Callable[[JobSnapshot], str] | None = None) -> JobSnapshot | None:
    """Pause / Resume, Step, Stop and the status line of the job under ``key``, refreshed while it
    runs (each refresh is the heartbeat that keeps the job alive). ``detail(snapshot)`` adds a
    caption, e.g. the latest losses. Returns the snapshot the page run saw (None: no job yet)."""
    note_earlier_run()
    job = get_job(key)
    first = job.snapshot() if job is not None else None
    if first is not None and first.running and st.query_params.get(URL_PARAM) != first.job_id:
        st.query_params[URL_PARAM] = first.job_id  # back in the address after a visit to another page

    @st.fragment(run_every=STATUS_EVERY if first is not None and first.running else None)
    def panel() -> None:
        snap = job.snapshot() if job is not None else None
        if job is not None:
            job.touch()
        left, right = st.columns([1, 1], vertical_alignment="center")
        with left:
            _buttons(key, snap or _IDLE)
        with right:
            if snap is None:
                st.progress(0.0, text="No run yet: press Train.")
            else:
                st.progress(snap.fraction, text=status_text(snap))
        if snap is not None:
            waiting_line(snap)
            if snap.error:
                st.error(snap.error, icon=_ICONS["error"])
            if detail is not None and (line := detail(snap)):
                st.caption(line)
            if first is not None and first.running and not snap.running:
                st.rerun()  # the whole page, so that it shows the finished results

    panel()
    return first


_IDLE = JobSnapshot("stopped", None, None, None, None, (), (), {}, None, None, None, False, 0)


def outcome(key: str, judge: Callable[[Any], Outcome]) -> None:
    """The outcome line of the job under ``key`` once it has ended; while a run goes on the slot is
    emptied, so the previous run's box does not stay on screen (faded) under the new one."""
    slot = st.empty()
    job = get_job(key)
    if job is None:
        return
    snap = job.snapshot()
    with slot.container():
        if snap.status == "done":
            show_outcome(judge(snap.result))
        elif snap.status == "stopped" and snap.message:
            st.warning(snap.message, icon=_ICONS["warning"])


# A loss chart is small (a few hundred points): it may refresh as often as the status line, so
# that the first batch's loss shows within about half a second of reaching the server.
LOSS_EVERY = STATUS_EVERY


FIRST_WAIT = 0.6  # seconds a chart of a run that has just started waits for its first batch


def _first_batch(job: Any, wait: float) -> None:
    """Right after Train, wait (up to ``wait`` s) for the first batch before drawing: the worker sends
    it a fraction of a second after the press, so the first chart holds a point instead of an empty
    frame that the next refresh would replace a good half second later. The elements above are
    already on screen (Streamlit sends each as it is drawn)."""
    snap = job.snapshot()
    if not snap.running or snap.last_batch is not None or snap.elapsed > 2 * wait:
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and job.snapshot().last_batch is None and job.snapshot().running:
        time.sleep(0.02)


def charts(key: str, draw: Callable[[JobSnapshot], None], idle: Callable[[], None] | str | None = None,
           every: float = CHARTS_EVERY, wait_first: float = 0.0) -> None:
    """``draw(snapshot)`` for the job under ``key``, refreshed every ``every`` s while it runs
    (``LOSS_EVERY`` for a small loss chart); ``idle`` (a function or a sentence) before any run.
    ``wait_first``: seconds the page run in which the job starts may wait for its first batch (see
    ``FIRST_WAIT``)."""
    job = get_job(key)
    if job is None:
        if idle is not None:
            idle() if callable(idle) else st.info(idle)
        return
    if wait_first:
        _first_batch(job, wait_first)
    running = job.snapshot().running

    @st.fragment(run_every=every if running else None)
    def chart_panel() -> None:
        draw(job.snapshot())

    chart_panel()
