"""Every st.session_state key the app uses, and a "set if missing" helper.

Pages never use bare strings for session_state: add the key here, namespaced by page
("stock.", "mnist.", "compare."), and initialise it at the top of the page with
``set_default(KEY, value)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import streamlit as st

T = TypeVar("T")

# Set by the first page run of a session (ui/navigation.py).
NAV_CHECKED = "app.navigation_checked"

# Per-session training jobs (lstm_core.jobs.TrainingJob: run in a worker process, polled by the page),
# one per page.
STOCK_JOB = "stock.job"
MNIST_JOB = "mnist.job"
COMPARE_JOB = "compare.job"


def set_default(key: str, default: T | None = None, *, factory: Callable[[], T] | None = None) -> T:
    """Store ``default`` (or ``factory()``) under ``key`` unless it is already set; return the value.

    Use ``factory`` for mutable or costly values so they are built only on first use.
    """
    if key not in st.session_state:
        st.session_state[key] = factory() if factory is not None else default
    return st.session_state[key]


def restore_widgets(
    saved_key: str, groups: Mapping[str, Sequence[str]], defaults: Mapping[str, object]
) -> None:
    """Give each widget of a page its value: the user's, the remembered one, or the default.

    Streamlit forgets a widget's value on a run that leaves the widget off the page (another
    page shown, or a form hidden while its data is missing), and the browser may send a blank
    value when it comes back. So a page keeps a copy under ``saved_key``: call this at the top
    of the page with its widget keys grouped by what is drawn together, and
    ``widgets_drawn(saved_key, group)`` as each group is drawn. A key whose group was on the
    page in the last run keeps its session value (the user may just have changed it); any
    other key gets its remembered value, else its default.
    """
    s = st.session_state
    saved: dict[str, object] = set_default(saved_key, factory=dict)
    drawn_key = f"{saved_key}.drawn"
    drawn_before: set[str] = s.get(drawn_key, set())
    s[drawn_key] = set()
    for group, keys in groups.items():
        for key in keys:
            if group in drawn_before and key in s:
                continue
            if key in saved:
                s[key] = saved[key]
            elif key in defaults:
                s[key] = defaults[key]
    saved.update({key: s[key] for keys in groups.values() for key in keys if key in s})


def widgets_drawn(saved_key: str, group: str) -> None:
    """Record that ``group``'s widgets are on the page in this run (see ``restore_widgets``)."""
    st.session_state[f"{saved_key}.drawn"].add(group)


# Forecast page.
STOCK_YAHOO = "stock.yahoo_load"  # last Fetch: ("ok", PriceLoad) or ("error", message)
STOCK_RUNS = "stock.runs"  # finished runs of this session, newest last (ui.forecast_view.RunEntry)
STOCK_RECORDED = "stock.recorded_job"  # the job whose result is already in STOCK_RUNS
STOCK_JOB_META = "stock.job_meta"  # label and settings of the run the current job trains
STOCK_LOADED = "stock.loaded_run"  # a run file loaded by the user (RunEntry) or None
STOCK_SETTINGS = "stock.saved_settings"  # copy of the form values, restored after visiting another page
STOCK_OVERLAID = "stock.overlaid_runs"  # the run labels the History overlay's choice was made for
STOCK_CSV = "stock.csv_file"  # (bytes, name) of the last uploaded CSV: the uploader forgets it on page change

# MNIST classifier page.
MNIST_RESULT = "mnist.result"  # the last finished ClassifierResult of this session, or None
MNIST_RECORDED = "mnist.recorded_job"  # the job whose result is already in MNIST_RESULT
MNIST_N_TRAIN = "mnist.n_train"  # training digits of the data in use (presets derive epochs from it)
MNIST_SETTINGS = "mnist.saved_settings"  # copy of the form values, restored after visiting another page

# Compare models page.
COMPARE_SETTINGS = "compare.saved_settings"  # copy of the form values, restored after visiting another page
COMPARE_META = "compare.job_meta"  # what the current job trains: ("compare" | "sweep", CompareSettings)
COMPARE_RECORDED = "compare.recorded_job"  # the job whose result is already stored below
COMPARE_RESULT = "compare.result"  # the last finished comparison (ui.compare_jobs.CompareOutcome) or None
COMPARE_SWEEP = "compare.sweep_result"  # the last finished sweep (ui.compare_jobs.SweepOutcome) or None
COMPARE_UPLOADED = "compare.uploaded_run"  # an LSTM loaded from a run file: (name, RunRecord) or None
COMPARE_QUERY_READ = "compare.query_read"  # the page has applied settings from its address once
COMPARE_NOTICE = "compare.notice"  # a message from loading settings (a file or a link), shown once
