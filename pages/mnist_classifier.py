"""MNIST classifier: a recurrent network reads digits row by row; train it live, see what it learned."""

import streamlit as st

from ui import job_targets
from ui import mnist_form as form
from ui import mnist_view as view
from ui.jobs import finished_result, start_job, stop_button, training_tab
from ui.navigation import ensure_app_navigation
from ui.state import MNIST_JOB, MNIST_RECORDED, MNIST_RESULT, set_default

ensure_app_navigation()

st.title("MNIST classifier")
st.caption("Each 28×28 handwritten digit is a sequence of 28 rows of 28 pixels. A recurrent network "
           "(RNN, LSTM or GRU) reads the rows one by one and names the digit. Seeds 000 and 002 are presets.")
form.init_widgets()
set_default(MNIST_RESULT, None)

with st.expander("1 · Data", expanded=True):
    data = form.data_section()

st.subheader("2 · Model and training")
plan, pressed = form.model_form(data) if data is not None else (None, False)
if data is None:
    st.info("The settings appear once the digits above can be loaded.")


def _job(plan: form.Plan) -> tuple:
    """The job function and its arguments: it runs in a worker process (one torch thread there)."""
    return job_targets.mnist_job, plan.data, plan.model, plan.train, plan.val_fraction


finished = finished_result(MNIST_JOB, MNIST_RECORDED)
if finished is not None:
    st.session_state[MNIST_RESULT] = finished  # a failed later run keeps the last good model

if pressed and plan is not None:
    start_job(MNIST_JOB, *_job(plan))
stop_button(MNIST_JOB)  # after start_job: drawn before it, Stop would stay disabled for the new run

result = st.session_state[MNIST_RESULT]

tabs = st.tabs(["Training", "Accuracy", "Digits", "Reading a digit", "Parameters"])
with tabs[0]:
    training_tab(MNIST_JOB, view.draw_status, view.draw_charts, view.training_outcome,
                 idle="Press Train to start. Progress, the loss and accuracy curves appear here live; "
                      "you can keep using the page (and Stop) while it trains.")
for tab, show in zip(tabs[1:], (view.accuracy_tab, view.digits_tab, view.reading_tab, view.parameters_tab),
                     strict=True):
    with tab:
        if result is None:
            st.info("Results appear here when a run finishes (Stop ends a run and keeps its best model).")
        else:
            show(result)
