"""Click through the app in a real browser: every page renders and shows no exception."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

# (sidebar / link label, page title shown on the page, url path)
TOOLS = [
    ("Stock forecast", "Stock forecast", "stock_forecast"),
    ("MNIST classifier", "MNIST classifier", "mnist_classifier"),
    ("Compare models", "Compare models", "compare_models"),
]


def _assert_no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()
    assert "Traceback" not in page.inner_text("body")


def test_home_renders(page, wait_for, screenshot):
    page.goto("/")
    wait_for(page, "LSTM Studio")
    _assert_no_exception(page)
    for label, _, _ in TOOLS:
        assert page.get_by_role("link", name=f"Open {label}").is_visible()
    screenshot(page, "home")


@pytest.mark.parametrize(("label", "title", "url_path"), TOOLS)
def test_sidebar_nav_opens_page(page, wait_for, screenshot, label, title, url_path):
    page.goto("/")
    wait_for(page, "LSTM Studio")
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=label).click()
    page.wait_for_url(f"**/{url_path}")
    page.get_by_role("heading", name=title).wait_for()
    wait_for(page, title)
    _assert_no_exception(page)
    screenshot(page, f"nav_{url_path}")


@pytest.mark.parametrize(("label", "title", "url_path"), TOOLS)
def test_home_page_link_opens_page(page, wait_for, label, title, url_path):
    page.goto("/")
    wait_for(page, "LSTM Studio")
    page.get_by_role("link", name=f"Open {label}").click()
    page.wait_for_url(f"**/{url_path}")
    page.get_by_role("heading", name=title).wait_for()
    _assert_no_exception(page)


def test_deep_link_and_back_home(page, wait_for, screenshot):
    page.goto("/compare_models")
    page.get_by_role("heading", name="Compare models").wait_for()
    _assert_no_exception(page)
    assert page.get_by_text("Coming: RNN vs LSTM vs GRU vs BiLSTM").is_visible()
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Home").click()
    wait_for(page, "LSTM Studio")
    _assert_no_exception(page)
    screenshot(page, "back_home")
