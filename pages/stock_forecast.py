"""Stock forecast: pick a series, set the model, train it live, judge it against "tomorrow = today"."""

import streamlit as st

from ui import cache, job_targets
from ui import forecast_form as form
from ui import forecast_view as view
from ui.forecast_run import load_run_file
from ui.jobs import finished_result, start_job, stop_button, training_tab
from ui.navigation import ensure_app_navigation
from ui.state import STOCK_JOB, STOCK_JOB_META, STOCK_LOADED, STOCK_RECORDED, STOCK_RUNS, set_default

ensure_app_navigation()

st.title("Stock forecast")
st.caption("Train an RNN, LSTM or GRU on a price series and see, honestly, whether it beats the naive "
           "'tomorrow = today' forecast on the test part.")
form.init_widgets()
cache.warm_up_training()
runs: list[view.RunEntry] = set_default(STOCK_RUNS, factory=list)

with st.expander("1 · Data", expanded=True):
    frame, shown = form.data_section()
    if frame is not None:
        view.provenance_panel(frame, st.session_state.get("stock.target", "Close"), shown)

st.subheader("2 · Model and training")
plan, pressed = form.model_form(frame) if frame is not None else (None, False)
if frame is None:
    st.info("Choose data above to set up a model.")
stop_slot = st.container()  # filled after a new job may have started, so Stop is live at once


def _job(plan: form.Plan) -> tuple:
    """The job function and its arguments: it runs in a worker process (one torch thread there)."""
    return job_targets.forecast_job, plan.frame, plan.data, plan.model, plan.train, plan.preview_every


finished = finished_result(STOCK_JOB, STOCK_RECORDED)
if finished is not None:
    label, settings, provenance = st.session_state[STOCK_JOB_META]
    runs.append(view.RunEntry(label, settings, finished, provenance))
    st.session_state[STOCK_LOADED] = None

if pressed and plan is not None:
    provenance = dict(plan.frame.attrs.get("provenance", {}))
    if start_job(STOCK_JOB, *_job(plan)) is not None:
        st.session_state[STOCK_JOB_META] = (
            f"run {len(runs) + 1}",
            view.settings_summary(plan.data, plan.model, plan.train, str(provenance.get("name", "data"))),
            provenance,
        )

with stop_slot:
    stop_button(STOCK_JOB)

entry = st.session_state.get(STOCK_LOADED) or (runs[-1] if runs else None)
tabs = st.tabs(["Training", "Fit & forecast", "Metrics", "Residuals", "History"])
with tabs[0]:
    training_tab(STOCK_JOB, view.draw_status, view.draw_charts, view.training_outcome,
                 idle="Press Train to start. Progress, the loss curves and the current fit appear here live; "
                      "you can keep using the page while it trains.")
for tab, show in zip(tabs[1:4], (view.fit_tab, view.metrics_tab, view.residuals_tab), strict=True):
    with tab:
        if entry is None:
            st.info("Results appear here when a run finishes.")
            continue
        if entry.notes:
            st.warning(f"{entry.label}: its data have changed since it was saved. " + " ".join(entry.notes)
                       + " The results below are recomputed on the data as they are now.")
        if show is view.fit_tab:
            view.fit_tab(entry)
            view.downloads(entry)
        else:
            show(entry.result)
with tabs[4]:
    view.history_tab(runs)
    load_run_file(runs)
