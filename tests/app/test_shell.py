"""The app shell: app.py runs, the home page links every tool, and every page file runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parents[2]
APP = str(REPO_ROOT / "app.py")
# Every file in pages/ is covered, so a new page is tested (and must be registered in app.py).
PAGES = sorted(p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "pages").glob("*.py"))
TOOL_PAGES = ["pages/stock_forecast.py", "pages/mnist_classifier.py", "pages/compare_models.py"]


def _run_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_app_runs_and_opens_on_home():
    at = _run_app()
    assert [t.value for t in at.title] == ["LSTM Studio"]


def test_home_links_every_tool():
    at = _run_app()
    # A page link's proto holds the page's url path ("stock_forecast"), not the file name.
    links = {link.proto.page for link in at.page_link}
    assert links == {Path(page).stem for page in TOOL_PAGES}
    assert [h.value for h in at.subheader] == ["Forecast", "MNIST classifier", "Compare models"]
    assert all(link.value.startswith("Open ") for link in at.page_link)


def test_pages_folder_holds_every_page():
    assert set(TOOL_PAGES) | {"pages/home.py"} <= set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_page_runs(page: str):
    at = _run_app()  # switch_page needs one run first, so st.navigation has registered the pages
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} shows no st.title"


def test_compare_models_offers_a_comparison():
    at = _run_app()
    at.switch_page("pages/compare_models.py").run()
    assert not at.exception
    assert at.button(key="compare.train").label == "Train the comparison"


def test_the_app_starts_the_worker_pool_warm_in_the_background():
    import time

    from lstm_core import worker_pool

    _run_app()  # the home page: nothing there trains, yet the pool is on its way
    deadline = time.monotonic() + 60
    while worker_pool._DEFAULT is None:
        assert time.monotonic() < deadline, "app.py did not start the worker pool"
        time.sleep(0.1)
    assert worker_pool._DEFAULT.size >= 1
