"""Forecast page result tabs: fit and forecast, metrics against every baseline, horizon, residuals."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core.forecasting import ForecastResult
from lstm_core.persistence import save_run
from lstm_core.plots import residuals_figure
from lstm_core.plots.forecast import fit_figure, horizon_figure
from lstm_core.run_records import forecast_record
from ui.forecast_view import RunEntry, best_baseline, naive_of, same_forecast, skill_against, verdict
from ui.job_targets import FUTURE_STEPS
from ui.training_panel import show_outcome

MAX_STEPS = 250


def _future(entry: RunEntry, steps: int) -> pd.DataFrame | None:
    """The forecast ``steps`` beyond the data with its intervals, computed once per run and length."""
    if steps not in entry.futures:
        try:
            with st.spinner("Forecasting beyond the data, with intervals from every test origin…"):
                entry.futures[steps] = entry.result.future(steps)
        except ValueError as exc:
            entry.futures[steps] = None
            st.info(f"No forecast beyond the data: {exc}")
    return entry.futures[steps]


def fit_tab(entry: RunEntry) -> None:
    """The whole series with the predictions, the test part's 80 / 95 % intervals, the baseline the
    model is compared with, and a forecast beyond the data with its intervals."""
    result, d = entry.result, entry.result.data
    # No min / max on the widget: Streamlit would only turn an out-of-range entry red.
    label = f"Forecast the next N {result.frequency.unit if result.frequency else 'step'}s"
    steps = int(st.number_input(f"{label} (0-{MAX_STEPS})", value=FUTURE_STEPS, step=1,
                                key="stock.future_steps", help="Beyond the data; 0 = no forecast."))
    if not 0 <= steps <= MAX_STEPS:
        st.warning(f"{label}: enter 0 to {MAX_STEPS} (got {steps:,}); showing "
                   f"{min(max(steps, 0), MAX_STEPS)}.")
        steps = min(max(steps, 0), MAX_STEPS)
    future = _future(entry, steps) if steps else None
    s = d.parts["test"]
    bands = []
    j = result.judgement
    for level in sorted(j.intervals, reverse=True) if j is not None else ():
        iv = j.intervals[level]
        bands.append((f"{level:.0%} interval (test)", d.dates[s], iv.lower[s], iv.upper[s]))
    if future is not None:
        for level in ("95%", "80%"):
            if f"lower {level}" in future:
                bands.append((f"{level} interval (beyond)", future.index, future[f"lower {level}"].to_numpy(),
                              future[f"upper {level}"].to_numpy()))
    name, base = best_baseline(result)
    lines = [(f"{name} (best baseline, test)", d.dates[s], base[s])]
    title = f"{entry.provenance.get('name', 'Series')}: actual and predicted ({entry.label})"
    fig = fit_figure(d.series, d.dates, result.predicted, d.parts,
                     future=future["forecast"] if future is not None else None, title=title, bands=bands,
                     lines=lines, y_title=d.cfg.target)
    # Open on the part that is judged (validation, test and beyond); the range slider shows all of it.
    shown_from = d.dates[d.parts["val"].start if d.parts["val"].stop > d.parts["val"].start else s.start]
    shown_to = future.index[-1] if future is not None and len(future) else d.dates[-1]
    fig.update_xaxes(range=[shown_from, shown_to])
    st.plotly_chart(fig, key="stock.fit_chart")
    downloads(entry)
    st.caption("The actual series is the thin dark line on top. Shaded: the 80 % and 95 % prediction "
               "intervals "
               "(from validation errors); dashed: the best baseline. Beyond the data, each predicted step "
               "is fed "
               "back as input, so errors compound: read it as a scenario, not a promise.")


def metrics_tab(entry: RunEntry) -> None:
    result = entry.result
    show_outcome(verdict(result))
    j = result.judgement
    if j is None:  # a run loaded from a file older than the baselines: the naive comparison only
        st.dataframe(result.report, key="stock.metrics_table")
        return
    table = j.comparison.copy()
    rows = []
    for name in table.index:
        predictions = np.asarray(j.baselines.predictions[name]) if name != "model" else None
        if predictions is not None and same_forecast(result, predictions):
            rows.append("0 · the same forecast")
            continue
        iv = None if predictions is None else skill_against(result, predictions)
        rows.append("—" if iv is None else f"{iv.skill:+.1%} [{iv.low:+.1%}, {iv.high:+.1%}] · "
                                           f"{iv.direction}")
    table["model's skill over it, 95 % interval"] = rows
    text = table.map(lambda v: v if isinstance(v, str) else "—" if not np.isfinite(v) else f"{v:,.4g}")
    st.table(text)
    s = result.data.parts["test"]
    name, base = best_baseline(result)
    iv = None if same_forecast(result, base) else skill_against(result, base)
    test = (f"Diebold-Mariano test against {name}: p = {iv.p_value:.2g} (blocks of {iv.block} windows)."
            if iv is not None else "")
    st.caption(f"Test part: {s.stop - s.start:,} windows, {result.data.dates[s.start]:%Y-%m-%d} to "
               f"{result.data.dates[s.stop - 1]:%Y-%m-%d}. Skill = 1 − RMSE model / RMSE baseline; its "
               "interval is a moving-block bootstrap over the test windows (paired errors; blocks keep runs "
               f"of errors together). Best baseline on validation: {j.best_baseline}. {test}")
    for line in j.coverage_in_words():
        st.markdown(f"**Intervals:** {line}.")
    for note in j.notes:
        st.caption(note)


def horizon_tab(entry: RunEntry) -> None:
    result = entry.result
    j = result.judgement
    if j is None or j.horizon is None or j.horizon.empty:
        st.info("No error-against-horizon table for this run.")
        return
    unit = result.frequency.unit + "s" if result.frequency is not None else "steps"
    st.plotly_chart(horizon_figure(j.horizon, x_title=f"{unit} ahead"), key="stock.horizon_chart")
    st.caption("Test RMSE of forecasts made 1, 2, … steps ahead from each origin (each step fed back as "
               "input). "
               "A model that beats the baselines one step ahead may lose to them further out.")


def residuals_tab(entry: RunEntry) -> None:
    result = entry.result
    d = result.data
    st.plotly_chart(residuals_figure(d.dates, d.actual, result.predicted, naive_of(d), d.parts),
                    key="stock.residuals_chart")
    st.caption("Where the coloured line and the dotted naive line coincide, the model predicts what the "
               "naive "
               "forecast predicts. Errors that grow with the level are normal for prices.")


def predictions_csv(result: ForecastResult) -> bytes:
    d = result.data
    part = np.empty(len(d.dates), dtype=object)
    for name, s in d.parts.items():
        part[s] = name
    frame = pd.DataFrame({"date": d.dates, "part": part, "actual": d.actual, "predicted": result.predicted,
                          "naive": naive_of(d)})
    return frame.to_csv(index=False, float_format="%.6g").encode()


def run_file(entry: RunEntry) -> bytes:
    """The run as a run file (lstm_core.persistence), which the History tab can load back."""
    buffer = io.BytesIO()
    save_run(forecast_record(entry.result, entry.provenance), buffer)
    return buffer.getvalue()


def file_stem(entry: RunEntry) -> str:
    """e.g. "NVDA_run1": the series (ticker, else name) and the run label, safe as a file name."""
    series = str(entry.provenance.get("ticker") or entry.provenance.get("name") or "series")
    series = series.rsplit(".", 1)[0] if series.lower().endswith((".csv", ".txt")) else series
    label = entry.label.removeprefix("loaded: ").rsplit(".", 1)[0].replace(" ", "")
    return re.sub(r"[^A-Za-z0-9^._-]+", "_", f"{series}_{label}").strip("_")


def downloads(entry: RunEntry) -> None:
    stem = file_stem(entry)
    c1, c2 = st.columns(2)
    c1.download_button("Predictions (CSV)", predictions_csv(entry.result), f"{stem}_predictions.csv",
                       "text/csv", key="stock.dl_csv", icon=":material/download:")
    try:
        data = run_file(entry)
    except Exception as exc:  # noqa: BLE001 - a model the run-file format cannot hold yet: say so, go on
        c2.caption(f"No run file: a run file cannot hold this model yet (method "
                   f"'{entry.settings.get('method', '?')}'; {type(exc).__name__}).")
        return
    c2.download_button("Run file (reload it on this page)", data, f"{stem}.lstmrun",
                       "application/octet-stream", key="stock.dl_run", icon=":material/save:")
