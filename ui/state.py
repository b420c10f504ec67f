"""Every st.session_state key the app uses, and a "set if missing" helper.

Pages never use bare strings for session_state: add the key here, namespaced by page
("stock.", "mnist.", "compare."), and initialise it at the top of the page with
``set_default(KEY, value)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

T = TypeVar("T")

# Set by the first page run of a session (ui/navigation.py).
NAV_CHECKED = "app.navigation_checked"

# Per-session training jobs (background thread + its progress state), one per page.
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

# Stock forecast page.
STOCK_YAHOO = "stock.yahoo_load"  # last Fetch: ("ok", PriceLoad) or ("error", message)
STOCK_RUNS = "stock.runs"  # finished runs of this session, newest last (ui.forecast_view.RunEntry)
STOCK_RECORDED = "stock.recorded_job"  # the job whose result is already in STOCK_RUNS
STOCK_JOB_META = "stock.job_meta"  # label and settings of the run the current job trains
STOCK_LOADED = "stock.loaded_run"  # a run file loaded by the user (RunEntry) or None
STOCK_SETTINGS = "stock.saved_settings"  # copy of the form values, restored after visiting another page
STOCK_CSV = "stock.csv_file"  # (bytes, name) of the last uploaded CSV: the uploader forgets it on page change

# MNIST classifier page.
MNIST_RESULT = "mnist.result"  # the last finished ClassifierResult of this session, or None
MNIST_RECORDED = "mnist.recorded_job"  # the job whose result is already in MNIST_RESULT
MNIST_N_TRAIN = "mnist.n_train"  # training digits of the data in use (presets derive epochs from it)
MNIST_SETTINGS = "mnist.saved_settings"  # copy of the form values, restored after visiting another page
