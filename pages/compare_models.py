"""Compare models: RNN, LSTM, GRU, BiLSTM and the hand-written RNN on one task, live, and a look inside."""

import streamlit as st

from ui import compare_form as form
from ui import compare_inspect as inspect
from ui import compare_training as training
from ui import compare_view as view
from ui import training_panel as panel
from ui.compare_jobs import CompareOutcome, SweepOutcome, compare_job, sweep_job
from ui.compare_settings import plan_runs
from ui.jobs import finished_result, get_job, pool, start_job
from ui.navigation import ensure_app_navigation
from ui.state import COMPARE_JOB, COMPARE_META, COMPARE_RECORDED, COMPARE_RESULT, COMPARE_SWEEP, set_default

ensure_app_navigation()
st.title("Compare models")
st.caption("Train a plain RNN, an LSTM, a GRU, a bidirectional LSTM and seed 004's hand-written RNN on the "
           "same data, from the same seed, with the same budget, and see which can remember across a "
           "distance T.")

# widgets -> settings
form.init_widgets()
pool()  # the server's workers start now (torch preloaded), not when Train is pressed
set_default(COMPARE_RESULT, None)
set_default(COMPARE_SWEEP, None)
fresh = st.session_state[COMPARE_RESULT] is None and get_job(COMPARE_JOB) is None
with st.expander("1 · Task, models and budget", expanded=fresh):  # folded once there is something to see
    settings, sweep_error = form.settings_form()

# start
finished = finished_result(COMPARE_JOB, COMPARE_RECORDED)
if isinstance(finished, CompareOutcome) and finished.runs:
    st.session_state[COMPARE_RESULT] = finished  # a comparison stopped before any model kept the last one
elif isinstance(finished, SweepOutcome) and finished.result.points:
    st.session_state[COMPARE_SWEEP] = finished
action = form.start_buttons(settings, sweep_error)
if action is not None and settings is not None:
    runs = plan_runs(settings)
    if start_job(COMPARE_JOB, compare_job if action == "compare" else sweep_job, settings, runs) is not None:
        st.session_state[COMPARE_META] = (action, settings, runs)
        st.rerun()  # the settings fold away now, not on a later rerun while they are being edited
meta = st.session_state.get(COMPARE_META)
panel.controls(COMPARE_JOB, detail=lambda snap: training.status_detail(meta, snap))
panel.outcome(COMPARE_JOB, training.judge)

# draw
job = get_job(COMPARE_JOB)
sweeping = job is not None and job.snapshot().running and meta is not None and meta[0] == "sweep"
result = st.session_state[COMPARE_RESULT]
tabs = st.tabs(["Training", "Results", "Success against distance", "Gradient over time",
                "Look inside an LSTM", "Show the code"])
with tabs[0]:
    panel.charts(COMPARE_JOB, lambda snap: training.draw_training(meta, snap),
                 idle="Tick the models and press 'Train the comparison'. One progress line per model and "
                      "the loss and validation curves appear here live; Pause holds the run, Step trains one "
                      "more epoch, Stop ends it.")
with tabs[1]:
    view.results_tab(result)
with tabs[2]:
    view.sweep_tab(st.session_state[COMPARE_SWEEP], sweeping)
with tabs[3]:
    view.gradient_tab(result)
with tabs[4]:
    inspect.inspect_tab(result)
with tabs[5]:
    inspect.code_tab(settings)
