"""Forecast runs of a session: start one, record it when it ends, load one back from a run file."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lstm_core.forecasting import ForecastResult, forecast_report, predict_values, prepare_forecast_data
from ui import cache, job_targets
from ui.forecast_data import DATE_ORDERS
from ui.forecast_form import ForecastPlan
from ui.forecast_view import RunEntry, settings_summary
from ui.jobs import finished_result, start_job
from ui.state import STOCK_CSV, STOCK_JOB, STOCK_JOB_META, STOCK_LOADED, STOCK_RECORDED


def record_finished(runs: list[RunEntry]) -> None:
    """Add the run that has just ended to ``runs`` (once); call it before a new run may start."""
    finished = finished_result(STOCK_JOB, STOCK_RECORDED)
    if finished is not None:
        label, settings, provenance = st.session_state[STOCK_JOB_META]
        entry = RunEntry(label, settings, finished, provenance)
        future = st.session_state[STOCK_JOB].snapshot().published.get(job_targets.FUTURE)
        if future is not None:  # computed by the worker: the page need not spend seconds on it
            entry.futures[future[0]] = future[1]
        runs.append(entry)
        st.session_state[STOCK_LOADED] = None


def which_run() -> str:
    """The run the current job trains, in words: "Run 3, on EU electrical equipment orders, monthly."."""
    meta = st.session_state.get(STOCK_JOB_META)
    if meta is None:
        return ""
    label, _, provenance = meta
    return f"{label[:1].upper()}{label[1:]}, on {provenance.get('name', 'the data')}."


def start(plan: ForecastPlan, runs: list[RunEntry]) -> None:
    """Train ``plan`` in a worker process (one torch thread there), as this session's forecast job."""
    provenance = dict(plan.frame.attrs.get("provenance", {}))
    job = start_job(STOCK_JOB, job_targets.forecast_job, plan.frame, plan.data, plan.model, plan.train,
                    plan.preview_every, plan.method)
    if job is not None:
        summary = settings_summary(plan.data, plan.model, plan.train, str(provenance.get("name", "data")),
                                   plan.method)
        st.session_state[STOCK_JOB_META] = (f"run {len(runs) + 1}", summary, provenance)


def show_result(entry: RunEntry | None, show) -> None:  # type: ignore[no-untyped-def]
    """A result tab: ``show(entry)`` or ``show(entry.result)``, with a note for a changed loaded run."""
    if entry is None:
        st.info("Results appear here when a run finishes (Stop ends a run and keeps its best weights).")
        return
    if entry.notes:
        st.warning(f"{entry.label}: its data have changed since it was saved. " + " ".join(entry.notes)
                   + " The results below are recomputed on the data as they are now.")
    show(entry)


def _frame_for(provenance: dict) -> pd.DataFrame:
    """The rows the run was trained on (lstm_core.run_records.rebuild_frame, with this page's caches)."""
    from lstm_core.run_records import rebuild_frame

    def uploaded(name: str) -> pd.DataFrame | None:
        kept = st.session_state.get(STOCK_CSV)
        if kept is None or kept[1] != name:
            return None
        dayfirst = DATE_ORDERS.get(st.session_state.get("stock.csv_dayfirst"))
        return cache.csv_prices(*kept, None, None, dayfirst).frame

    return rebuild_frame(provenance, bundled=cache.bundled_prices, uploaded=uploaded,
                         yahoo=lambda t, p, i: cache.yahoo_prices(t, p, i).frame)


def load_run_file(runs: list[RunEntry]) -> None:
    """An uploader for run files; a loaded run joins the history and is shown in the result tabs."""
    upload = st.file_uploader("Load a run file", type=["lstmrun", "pt", "bin"], key="stock.run_upload")
    if upload is None:
        return
    if any(r.label == f"loaded: {upload.name}" for r in runs):
        return
    try:
        from lstm_core.persistence import load_run
        from lstm_core.run_records import history_of, load_forecaster, rebuilt_differences

        record = load_run(upload.getvalue())
        model, data_cfg, scaler = load_forecaster(record)
        provenance = dict(record.provenance or {})
        frame = _frame_for(provenance)
        data = prepare_forecast_data(frame, data_cfg, scaler)  # the model's own input scale
        predicted = predict_values(model, data)
        report, skill = forecast_report(data, predicted)
        notes = rebuilt_differences(record, data, report)
    except Exception as exc:  # noqa: BLE001 - whatever is in the file, the page says so and goes on
        st.error(f"Could not load {upload.name}: {exc}")
        return
    result = ForecastResult(model, record.model_cfg, record.train_cfg, data, history_of(record), predicted,
                            report, skill)
    entry = RunEntry(f"loaded: {upload.name}", settings_summary(
        data_cfg, record.model_cfg, record.train_cfg, str(provenance.get("name", "data"))),
        result, provenance, tuple(notes))
    runs.append(entry)
    st.session_state[STOCK_LOADED] = entry
    st.toast(f"Loaded {upload.name}: {result.verdict}")
    st.rerun()  # the result tabs above were drawn before this run was loaded
