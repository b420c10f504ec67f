"""Fixtures for the AppTest layer."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def open_page() -> Callable[[str], AppTest]:
    """`open_page("pages/x.py")`: the app run once, switched to that page, run without exception."""

    def open_(path: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()  # st.navigation registers the pages on the first run; switch_page needs them
        at.switch_page(path)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_


@pytest.fixture
def wait_until() -> Callable[..., None]:
    """`wait_until(job, condition, timeout=60)`: poll ``job.snapshot()`` until ``condition(snapshot)``."""

    def wait(job, condition: Callable[[object], bool], timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
        end = time.monotonic() + timeout
        while not condition(job.snapshot()):
            assert time.monotonic() < end, "timed out"
            time.sleep(0.05)

    return wait
