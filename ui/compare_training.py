"""Compare page, Training tab: one progress line per model, the live curves, the panel's detail and outcome.

Drawn by ``ui.training_panel`` (``charts(draw_training)``, ``controls(detail=status_detail)``,
``outcome(judge)``), so a comparison pauses, steps, stops and ends in the same words as every page.
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from lstm_core.jobs import JobSnapshot, RunSnapshot
from lstm_core.plots.compare import curves_figure
from ui.compare_jobs import LEVEL, POINTS, TRAIL_PREFIX, CompareOutcome, SweepOutcome
from ui.compare_settings import TaskInfo
from ui.compare_view import Meta, level_name, sweep_chart
from ui.jobs import format_seconds
from ui.training_panel import DIVERGED, Outcome, end_words, ended


def _epoch_score(info: TaskInfo, run: RunSnapshot) -> str:
    if not run.epochs:
        return ""
    m = run.epochs[-1].metrics
    if info.percent:
        key = "val_accuracy" if "val_accuracy" in m else "train_accuracy"
        return f"{key.split('_')[0].replace('val', 'validation')} accuracy {100 * m.get(key, math.nan):.1f} %"
    loss = run.epochs[-1].val_loss
    if loss is not None:
        return f"validation MSE {loss:.4g}"
    return f"training loss {run.epochs[-1].train_loss:.4g}"


def run_state(run: RunSnapshot | None, running: bool, stop_requested: bool) -> str:
    """How one model of a comparison stands, in words: a model the Stop cut short reads "stopped", not
    "done", and one the Stop kept from starting reads "not trained", not "waiting for its turn"."""
    if run is None or run.start is None:
        if running:
            return "waiting for its turn"
        return "not trained (stopped before its turn)" if stop_requested else "not trained"
    if run.history is not None:
        return end_words(run.history.stop_reason)
    if not running:
        return "stopped"
    return "stopping…" if stop_requested else "training"


def _run_line(label: str, info: TaskInfo, run: RunSnapshot | None, snap: JobSnapshot) -> None:
    state = run_state(run, snap.running, snap.stop_requested)
    if run is None or run.start is None:
        st.progress(0.0, text=f"**{label}**: {state}")
        return
    epoch = run.epochs[-1].epoch if run.epochs else (run.last_batch.epoch if run.last_batch else 1)
    elapsed = run.history.elapsed if run.history else (run.last_batch.elapsed if run.last_batch else 0.0)
    parts = [f"**{label}**: {state}", f"epoch {epoch} / {run.start.cfg.epochs}", _epoch_score(info, run),
             format_seconds(elapsed)]
    st.progress(run.fraction, text=" · ".join(p for p in parts if p))


def draw_status(meta: Meta, snap: JobSnapshot) -> None:
    """One progress line per model (a comparison) or one over the whole sweep."""
    kind, settings, runs = meta
    if kind == "compare":
        for label, _ in runs:
            _run_line(label, settings.info, snap.runs.get(label), snap)
        return
    total = len(settings.lengths) * len(runs)
    done = len(snap.published.get(POINTS, ()))
    current = snap.runs[snap.run_ids[-1]] if snap.run_ids else None
    running = current is not None and current.history is None
    share = (done + (current.fraction if running else 0.0)) / max(total, 1)
    text = f"Sweep: {done} of {total} models trained · elapsed {format_seconds(snap.elapsed)}"
    if running and snap.running:
        text += f" · now {snap.run_ids[-1]}, {100 * current.fraction:.0f} %"
    st.progress(1.0 if snap.status == "done" and done == total else min(share, 1.0), text=text)


def status_detail(meta: Meta | None, snap: JobSnapshot) -> str:
    """Which model the panel's status line (epochs of the model in training) is about, e.g.
    "LSTM: model 2 of 3 · RNN diverged", or between two models "RNN diverged; next: LSTM (model 2 of 3)"
    (each model as it ended, not "done" whatever happened)."""
    if meta is None or not snap.run_ids or not snap.running:
        return ""
    kind, settings, runs = meta
    total, count = len(runs) * (len(settings.lengths) if kind == "sweep" else 1), len(snap.run_ids)
    current = snap.run_ids[-1]
    if snap.runs[current].history is not None and kind == "compare" and count < total:  # between two models
        state = run_state(snap.runs[current], True, False)  # "diverged", "done (early stopping)", ...
        return f"{current} {state}; next: {runs[count][0]} (model {count + 1} of {total})"
    line = f"{current}: model {count} of {total}"
    finished = [rid for rid in snap.run_ids[:-1] if snap.runs[rid].history is not None]
    if kind == "compare" and finished:
        line += " · " + ", ".join(f"{rid} {run_state(snap.runs[rid], True, False)}" for rid in finished)
    return line


def draw_training(meta: Meta | None, snap: JobSnapshot) -> None:
    """The Training tab while and after a run: the lines per model, then the live curves."""
    if meta is None:
        return
    draw_status(meta, snap)
    draw_charts(meta, snap)


def _smooth(values: np.ndarray, span: int) -> np.ndarray:
    out, acc, alpha = np.empty_like(values), values[0], 2.0 / (span + 1)
    for i, v in enumerate(values):
        acc = alpha * v + (1 - alpha) * acc
        out[i] = acc
    return out


def live_curves(info: TaskInfo, snap: JobSnapshot, labels: list[str]) -> tuple[dict, dict]:
    """(loss curves against epochs from the batch trails, validation score per epoch) per model."""
    losses, scores = {}, {}
    for label in labels:
        run, trail = snap.runs.get(label), snap.published.get(TRAIL_PREFIX + label)
        if run is None or run.start is None:
            continue
        if trail and trail[0]:
            per_epoch = max(run.start.steps_per_epoch, 1)
            steps, values = np.asarray(trail[0], float), np.asarray(trail[1], float)
            losses[label] = (steps / per_epoch, _smooth(values, max(3, per_epoch // 10)))
        if run.epochs:
            x = [e.epoch for e in run.epochs]
            if info.percent:
                key = "val_accuracy" if "val_accuracy" in run.epochs[-1].metrics else "train_accuracy"
                scores[label] = (x, [100 * e.metrics.get(key, math.nan) for e in run.epochs])
            else:
                scores[label] = (x, [e.train_loss if e.val_loss is None else e.val_loss for e in run.epochs])
    return losses, scores


def draw_charts(meta: Meta, snap: JobSnapshot) -> None:
    kind, settings, runs = meta
    info = settings.info
    if kind == "sweep":
        sweep_chart(settings, list(snap.published.get(POINTS, ())), key="compare.live_sweep")
        return
    losses, scores = live_curves(info, snap, [label for label, _ in runs])
    level = snap.published.get(LEVEL)
    c1, c2 = st.columns(2)
    if losses:
        fig = curves_figure(losses, "Training loss (smoothed)", "loss", log_y=not info.percent)
        # the whole budget from the start: each curve grows into a fixed frame (a first point alone
        # drew an axis from -0.5 to 1 epochs)
        fig.update_xaxes(range=[0, settings.epochs])
        c1.plotly_chart(fig, key="compare.live_loss", width="stretch")
    else:
        c1.info("The loss curves appear after the first batches.")
    if scores:
        pct = 100 * level if level is not None and info.percent else level
        title = "Validation accuracy" if info.percent else "Validation error (MSE)"
        fig = curves_figure(scores, title, "accuracy (%)" if info.percent else "MSE", level=pct,
                            level_name=level_name(info), log_y=not info.percent)
        fig.update_xaxes(dtick=1 if settings.epochs <= 15 else None,  # whole epochs, not 1.5
                         range=[0.75, settings.epochs + 0.25])
        c2.plotly_chart(fig, key="compare.live_score", width="stretch")
    else:
        c2.info("The validation score of each model appears when its first epoch ends.")
    st.caption("Each line is one model, on the same data from the same seed. The loss is smoothed over "
               "batches; the right chart is scored on the validation sequences after every epoch"
               + (f", with the {level_name(info)} level dashed." if level is not None else "."))


def judge(result: CompareOutcome | SweepOutcome) -> Outcome:
    """The outcome line of a comparison or a sweep, in the training panel's words: a model that
    diverged reads "Diverged: ..." as on every page, a run cut short by Stop says so."""
    if isinstance(result, SweepOutcome):
        n, stopped = len(result.result.points), result.result.stopped
        return Outcome("warning" if stopped else "success",
                       f"Sweep {'stopped' if stopped else 'done'}: {n} models trained. See 'Success against "
                       "distance'.")
    ends = {r.label: ended(r.history) for r in result.runs}
    diverged = [label for label, o in ends.items() if o.text.startswith(DIVERGED)]
    n = len(result.runs)
    took = sum(r.history.elapsed for r in result.runs)  # training time, as in the status line (no pauses)
    text = f"{n} model{'s' * (n != 1)} trained in {format_seconds(took)}."
    details = tuple(f"{label}: {o.text}" for label, o in ends.items() if o.level != "success")
    if diverged and len(diverged) == n:
        return Outcome("error", f"{DIVERGED}: {'every model' if n > 1 else diverged[0]}. {text}", details)
    if result.stopped:
        return Outcome("warning", f"Stopped early. {text}", details)
    if diverged:
        return Outcome("warning", f"{DIVERGED}: {', '.join(diverged)}. {text}", details)
    return Outcome("success", text, details)
