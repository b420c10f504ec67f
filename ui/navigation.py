"""Make sure every page runs inside app.py's navigation, even on a fresh server's first visit."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from ui.state import NAV_CHECKED


def ensure_app_navigation() -> None:
    """Rerun through app.py when Streamlit ran this page as a legacy ``pages/`` script.

    Streamlit decides at a fresh server's first session whether the app is a legacy
    multipage app, by the mere presence of a ``pages/`` folder, before app.py has had a
    chance to call ``st.navigation``. A first visit by deep link (``/stock_forecast``)
    then runs the page alone: a sidebar of raw file names and no page config. Clearing
    that flag and rerunning sends the same URL through app.py. Only a session's first run
    can be such a visit, so a later run (which may carry a button click) is never rerun;
    AppTest, which resets the flag before every run, relies on that.
    """
    first_run = NAV_CHECKED not in st.session_state
    st.session_state[NAV_CHECKED] = True
    if first_run and PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
