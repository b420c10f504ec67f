"""MNIST classifier: a recurrent network reads digits row by row; train it live, see what it learned.

Layout: the settings live in the sidebar, so Train, the live run and its results are at the top
of the page and stay in view while a learner changes a setting and trains again.
"""

import streamlit as st

from ui import mnist_form as form
from ui import mnist_view as view
from ui import training_panel as panel
from ui.jobs import finished_result, start_job, train_blocked
from ui.mnist_job import mnist_job
from ui.navigation import ensure_app_navigation
from ui.state import MNIST_JOB, MNIST_RECORDED, MNIST_RESULT, set_default

ensure_app_navigation()
st.title("MNIST classifier")
st.caption("Each 28×28 handwritten digit is a sequence of 28 rows of 28 pixels. A recurrent network "
           "(RNN, LSTM or GRU) reads the rows one by one and names the digit. Settings are in the sidebar; "
           "seeds 000 and 002 are presets.")

# widgets -> plan
form.init_widgets()
set_default(MNIST_RESULT, None)
with st.sidebar:
    problems: list[str] = []  # each is also shown at its widget
    st.subheader("1 · Data")
    data = form.data_section(problems)
    st.subheader("2 · Model and training")
    plan = form.settings(data, problems) if data is not None else None
    if data is None:
        st.info("The model and training settings appear once the data settings above are valid.")

# start
finished = finished_result(MNIST_JOB, MNIST_RECORDED)
if finished is not None:
    st.session_state[MNIST_RESULT] = finished  # a failed later run keeps the last good model
left, right = st.columns([1, 4], vertical_alignment="center")
blocked = train_blocked()
if left.button("Train", type="primary", key="mnist.train", icon=":material/play_arrow:", width="stretch",
               disabled=plan is None or blocked is not None, help=blocked or "Train with the settings in "
               "the sidebar."):
    start_job(MNIST_JOB, mnist_job, plan.data, plan.model, plan.train, plan.val_fraction,  # type: ignore[union-attr]
              plan.label_smoothing, plan.augment)  # type: ignore[union-attr]
with right:
    panel.controls(MNIST_JOB, detail=view.status_detail)
if problems:
    st.warning("Fix in the sidebar before training: " + " ".join(problems), icon=":material/arrow_back:")

# draw
panel.outcome(MNIST_JOB, view.judge)
result = st.session_state[MNIST_RESULT]
tabs = st.tabs(["Training", "Accuracy", "Digits", "Reading a digit", "Parameters"])
with tabs[0]:
    panel.charts(MNIST_JOB, view.draw_charts,
                 idle="Press Train to start. The loss and accuracy curves appear here live; Pause holds the "
                      "run, Step trains one more epoch, Stop ends it and keeps the best model.")
for tab, show in zip(tabs[1:], (view.accuracy_tab, view.digits_tab, view.reading_tab, view.parameters_tab),
                     strict=True):
    with tab:
        if result is None:
            st.info("Results appear here when a run finishes (Stop ends a run and keeps its best model).")
        else:
            show(result)
