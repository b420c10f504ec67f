"""Forecast: pick a series in the sidebar, train a recurrent model live, judge it against every baseline.

Layout: every setting lives in the sidebar, so Train, the live training panel and the results
stay at the top of the page, in view when Train is pressed, and a learner changes one setting
and trains again without scrolling; the sidebar scrolls on its own.
"""

import streamlit as st

from ui.navigation import ensure_app_navigation
from ui.state import STOCK_JOB, STOCK_LOADED, STOCK_RUNS, set_default

ensure_app_navigation()
st.title("Forecast")
st.caption("Train an RNN, LSTM or GRU on a series and see, honestly, whether it beats the naive, seasonal, "
           "drift and linear forecasts on the test part, and how sure that verdict is.")
# The first visit to a fresh server imports torch (seconds): say so under the title, not a blank page.
with st.spinner("Loading the forecasting tools…"):
    from ui import forecast_form as form  # noqa: E402
    from ui import forecast_history as history  # noqa: E402
    from ui import forecast_results as results  # noqa: E402
    from ui import forecast_run as run  # noqa: E402
    from ui import forecast_view as view  # noqa: E402
    from ui import training_panel as panel  # noqa: E402
    from ui.jobs import train_blocked  # noqa: E402

form.init_widgets()
runs: list[view.RunEntry] = set_default(STOCK_RUNS, factory=list)

with st.sidebar:
    with st.expander("1 · Data", expanded=True):
        frame, shown = form.data_section()
    plan = None
    if frame is not None:
        with st.expander("2 · Model and training", expanded=True):
            plan = form.settings(frame)

run.record_finished(runs)  # before a new run may start: a run that ended just now is kept
left, right = st.columns([1, 4])
blocked = train_blocked()
pressed = left.button("Train", type="primary", key="stock.train", icon=":material/play_arrow:",
                      disabled=plan is None or blocked is not None, help=blocked, width="stretch")
if pressed and plan is not None:
    run.start(plan, runs)
with right:
    panel.controls(STOCK_JOB, detail=view.status_detail)
if plan is None:
    st.caption("Choose data and fix the settings marked in the sidebar to train." if frame is not None
               else "Choose data in the sidebar to train.")
panel.outcome(STOCK_JOB, lambda result: view.judge(result, run.which_run()))

target = st.session_state.get("stock.target", "Close")
entry = st.session_state.get(STOCK_LOADED) or (runs[-1] if runs else None)
tabs = st.tabs(["Training", "Fit & forecast", "Metrics", "Error by horizon", "Residuals", "History", "Data"])
with tabs[0]:
    view.training_tab(STOCK_JOB, frame, target)
for tab, show in zip(tabs[1:5], (results.fit_tab, results.metrics_tab, results.horizon_tab,
                                 results.residuals_tab), strict=True):
    with tab:
        run.show_result(entry, show)
with tabs[5]:
    history.history_tab(runs)
    run.load_run_file(runs)
with tabs[6]:
    if frame is not None:
        view.provenance_panel(frame, target, shown)
