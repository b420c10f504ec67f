"""Compare page drawing: one progress line per model, live curves, the results table, the sweep, gradients."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core.compare import RunResult
from lstm_core.jobs import JobSnapshot, RunSnapshot
from lstm_core.plots.compare import BASELINE_NAME, CHANCE_NAME, curves_figure, gradient_figure, sweep_figure
from ui.compare_jobs import LEVEL, POINTS, TRAIL_PREFIX, CompareOutcome, SweepOutcome
from ui.compare_settings import CompareSettings, TaskInfo
from ui.jobs import format_seconds
from ui.training_panel import DIVERGED, Outcome, ended

Meta = tuple  # (kind "compare" | "sweep", CompareSettings, [(label, ModelConfig), ...])


def level_name(info: TaskInfo) -> str:
    return CHANCE_NAME if info.percent and info.key not in ("mnist", "surnames") else (
        "majority class" if info.percent else BASELINE_NAME if info.key != "prices" else "naive forecast")


def format_metric(info: TaskInfo, value: float) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if info.percent:
        return f"{100 * value:.1f} %"
    return f"{value:.3f}" if info.key == "prices" else f"{value:.4g}"


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


ENDED = {"completed": "done", "early_stopping": "done (early stopping)", "stopped": "stopped",
         "max_steps": "done (step budget)", "diverged": "diverged"}


def run_state(run: RunSnapshot | None, running: bool, stop_requested: bool) -> str:
    """How one model of a comparison stands, in words: a model the Stop cut short reads "stopped", not
    "done", and one the Stop kept from starting reads "not trained", not "waiting for its turn"."""
    if run is None or run.start is None:
        if running:
            return "waiting for its turn"
        return "not trained (stopped before its turn)" if stop_requested else "not trained"
    if run.history is not None:
        return ENDED.get(run.history.stop_reason, run.history.stop_reason)
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
    "LSTM: model 2 of 3 · RNN done"."""
    if meta is None or not snap.run_ids or not snap.running:
        return ""
    kind, settings, runs = meta
    total = len(runs) * (len(settings.lengths) if kind == "sweep" else 1)
    current = snap.run_ids[-1]
    line = f"{current}: model {len(snap.run_ids)} of {total}"
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
        c1.plotly_chart(curves_figure(losses, "Training loss (smoothed)", "loss", log_y=not info.percent),
                        key="compare.live_loss", width="stretch")
    else:
        c1.info("The loss curves appear after the first batches.")
    if scores:
        pct = 100 * level if level is not None and info.percent else level
        title = "Validation accuracy" if info.percent else "Validation error (MSE)"
        fig = curves_figure(scores, title, "accuracy (%)" if info.percent else "MSE", level=pct,
                            level_name=level_name(info), log_y=not info.percent)
        fig.update_xaxes(dtick=1 if settings.epochs <= 15 else None)  # whole epochs, not 1.5
        c2.plotly_chart(fig, key="compare.live_score", width="stretch")
    else:
        c2.info("The validation score of each model appears when its first epoch ends.")
    st.caption("Each line is one model, on the same data from the same seed. The loss is smoothed over "
               "batches; "
               "the right chart is scored on the validation sequences after every epoch"
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
    text = f"{n} model{'s' * (n != 1)} trained in {format_seconds(sum(r.seconds for r in result.runs))}."
    details = tuple(f"{label}: {o.text}" for label, o in ends.items() if o.level != "success")
    details += (result.data_note,)
    if diverged and len(diverged) == n:
        return Outcome("error", f"{DIVERGED}: every model. {text}", details)
    if result.stopped:
        return Outcome("warning", f"Stopped early. {text}", details)
    if diverged:
        return Outcome("warning", f"{DIVERGED}: {', '.join(diverged)}. {text}", details)
    return Outcome("success", text, details)


def results_frame(result: CompareOutcome) -> pd.DataFrame:
    """One row per model, best first."""
    info = result.settings.info
    runs = sorted(result.runs, key=lambda r: (r.metric if info.lower_is_better else -r.metric)
                  if math.isfinite(r.metric) else math.inf)
    rows = []
    for r in runs:
        row = {"model": r.label, "hidden units": r.cfg.hidden_size,
               info.metric: format_metric(info, r.metric),
               level_name(info): format_metric(info, r.baseline), "parameters": f"{r.parameters:,}",
               "s / epoch": f"{r.seconds_per_epoch:.2f}", "epochs run": r.epochs_run,
               "ended": ENDED.get(r.history.stop_reason, r.history.stop_reason)}
        row.update({k: f"{v:.3f}" for k, v in r.extra.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def results_tab(result: CompareOutcome | None) -> None:
    if result is None or not result.runs:
        st.info("The results table appears when a comparison has trained at least one model.")
        return
    info = result.settings.info
    st.caption(result.data_note)
    table = results_frame(result)
    st.dataframe(table, hide_index=True, key="compare.results")
    st.markdown(headline(table, info) + " " + _reading(info))
    if info.key == "surnames":
        from ui.compare_surnames import surname_section

        surname_section(result)


def headline(table: pd.DataFrame, info: TaskInfo) -> str:
    """The sentence under the results table: the best model, or the models tied for best as shown, and
    whether it beats the chance level or baseline at the precision shown (a 'Best: GRU' among four models
    at 1.000, level with the naive forecast's 1.000, told a learner something untrue)."""
    metric, level = info.metric, level_name(info)
    best = table.iloc[0]
    tied = [m for m, v in zip(table["model"], table[metric], strict=True) if v == best[metric]]
    who = (f"**Best: {best['model']}**" if len(tied) == 1 else
           f"**{', '.join(tied[:-1])} and {tied[-1]} tie**" if len(tied) < len(table) else
           f"**All {len(tied)} models tie**")
    text = f"{who} with {metric} {best[metric]} ({level}: {best[level]})."
    try:
        value, base = (float(str(v).rstrip(" %")) for v in (best[metric], best[level]))
    except ValueError:
        return text
    if value == base or (value > base) == info.lower_is_better:
        text += f" No model beats {level if level == CHANCE_NAME else 'the ' + level} here."
    return text


def _reading(info: TaskInfo) -> str:
    if info.key == "prices":
        return "Lower is better; 1.0 means no better than 'tomorrow = today'."
    return "Lower is better." if info.lower_is_better else "Higher is better."


def sweep_chart(settings: CompareSettings, points: list, key: str) -> None:
    info = settings.info
    series: dict[str, list[tuple[int, float]]] = {}
    for p in points:
        series.setdefault(p.label, []).append((p.length, p.metric))
    level = 0.25 if info.percent else (float(np.mean([p.baseline for p in points])) if points else None)
    fig = sweep_figure(series, "accuracy" if info.percent else "mse", chance=level,
                       chance_name=level_name(info), lengths=settings.lengths)
    fig.update_xaxes(tickvals=list(settings.lengths))  # ticks at the sweep's own T, not at 4.5, 5, 5.5
    st.plotly_chart(fig, key=key, width="stretch")
    st.caption("Each point is a model trained from scratch at that T, scored on fresh test sequences. The "
               "plain "
               "RNN falls to chance as T grows while gated cells (LSTM, GRU) hold: memory across distance is "
               "what the gates buy. Points appear as they finish.")


def sweep_tab(sweep: SweepOutcome | None, running_sweep: bool) -> None:
    if running_sweep:
        st.info("A sweep is running: its points appear live in the Training tab.")
    if sweep is None:
        if not running_sweep:
            st.info("Press 'Run the sweep over T' (a long-memory task) to train every ticked model at each "
                    "length.")
        return
    sweep_chart(sweep.settings, list(sweep.result.points), key="compare.sweep_chart")
    info = sweep.settings.info
    rows = [{"model": p.label, "T": p.length, info.metric: format_metric(info, p.metric),
             "parameters": f"{p.parameters:,}", "seconds": f"{p.seconds:.2f}", "epochs run": p.epochs_run}
            for p in sweep.result.points]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="compare.sweep_table")


def gradient_tab(result: CompareOutcome | None) -> None:
    runs: list[RunResult] = [r for r in (result.runs if result else []) if r.gradient is not None]
    if not runs:
        st.info("After a comparison, the gradient reaching each input step is measured for every trained "
                "model.")
        return
    fig = gradient_figure({r.label: r.gradient for r in runs})
    st.plotly_chart(fig, key="compare.gradients", width="stretch")
    st.caption(gradient_caption(max(len(r.gradient) for r in runs)))


SHORT_INPUT = 12  # steps: over fewer, a plain RNN's gradient has little room to vanish


def gradient_caption(steps: int) -> str:
    """What to read in the gradient chart; over a short input it says that little vanishes there (on
    surnames, 6 steps, the caption promised a drop by orders of magnitude that no curve showed)."""
    text = ("How strongly the loss reacts to each input step (mean over 64 test inputs, log axis). Read it "
            "from right (the last step) to left: ")
    if steps < SHORT_INPUT:
        return text + (f"over only {steps} steps a gradient has little room to vanish, so the curves "
                       "can look alike. Choose a long-memory task with T of 50 or more to see a plain RNN's "
                       "curve drop by orders of magnitude towards the start while an LSTM's or GRU's stays "
                       "high.")
    return text + ("a plain RNN's curve drops by orders of magnitude towards the start, so early inputs "
                   "barely teach it (vanishing gradients); an LSTM's or GRU's stays high.")
