"""Compare page drawing after a run: the results table, the sweep, the gradients (the Training tab is
ui.compare_training)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core.compare import RunResult
from lstm_core.plots.compare import BASELINE_NAME, CHANCE_NAME, gradient_figure, sweep_figure
from ui.compare_jobs import CompareOutcome, SweepOutcome
from ui.compare_settings import CompareSettings, TaskInfo
from ui.training_panel import end_words

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
               "ended": end_words(r.history.stop_reason)}
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
