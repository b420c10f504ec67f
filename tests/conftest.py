"""Fixtures shared by every test layer (core, app, e2e)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
_APP_TESTS = REPO_ROOT / "tests" / "app"
_cache_dir: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    # Set before any test module is imported, so code that reads the variable at import time
    # and the e2e server subprocess (which inherits os.environ) both see it: tests never
    # write to the user's ~/.cache.
    global _cache_dir
    _cache_dir = tempfile.mkdtemp(prefix="lstm-studio-test-cache-")
    os.environ["LSTM_STUDIO_CACHE"] = _cache_dir


def pytest_unconfigure(config: pytest.Config) -> None:
    if _cache_dir is not None:
        shutil.rmtree(_cache_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def studio_cache_dir() -> Path:
    """The temporary directory that LSTM_STUDIO_CACHE points to for this test session."""
    return Path(os.environ["LSTM_STUDIO_CACHE"])


@pytest.fixture(autouse=True)
def _clear_streamlit_caches(request: pytest.FixtureRequest):
    """st.cache_data / st.cache_resource are process-wide: clear them around each app test."""
    if not request.path.is_relative_to(_APP_TESTS):
        yield
        return
    import streamlit as st  # only app tests pay for (and may load) streamlit

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
