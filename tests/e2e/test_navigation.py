"""Click through the app in a real browser: every page renders and shows no exception."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# (sidebar / link label, page title shown on the page, url path)
TOOLS = [
    ("Forecast", "Forecast", "stock_forecast"),
    ("MNIST classifier", "MNIST classifier", "mnist_classifier"),
    ("Compare models", "Compare models", "compare_models"),
]


def _expect_page(page, wait_for, title: str) -> None:
    # The h1, not any text: right after a click the previous page (home has subheaders with
    # the tools' names) is still on screen until the new script run replaces it.
    expect(page.locator('[data-testid="stMain"] h1')).to_have_text(title)
    wait_for(page, title)


def _assert_no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()
    assert "Traceback" not in page.inner_text("body")


def test_home_renders(page, wait_for, screenshot):
    page.goto("/")
    wait_for(page, "LSTM Studio")
    _assert_no_exception(page)
    for label, _, _ in TOOLS:
        expect(page.get_by_role("link", name=f"Open {label}")).to_be_visible()
    screenshot(page, "home")


@pytest.mark.parametrize(("label", "title", "url_path"), TOOLS)
def test_sidebar_nav_opens_page(page, wait_for, screenshot, label, title, url_path):
    page.goto("/")
    wait_for(page, "LSTM Studio")
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=label).click()
    page.wait_for_url(f"**/{url_path}")
    _expect_page(page, wait_for, title)
    _assert_no_exception(page)
    screenshot(page, f"nav_{url_path}")


@pytest.mark.parametrize(("label", "title", "url_path"), TOOLS)
def test_home_page_link_opens_page(page, wait_for, label, title, url_path):
    page.goto("/")
    wait_for(page, "LSTM Studio")
    page.get_by_role("link", name=f"Open {label}").click()
    page.wait_for_url(f"**/{url_path}")
    _expect_page(page, wait_for, title)
    _assert_no_exception(page)


def test_deep_link_and_back_home(page, wait_for, screenshot):
    page.goto("/compare_models")
    _expect_page(page, wait_for, "Compare models")
    _assert_no_exception(page)
    expect(page.get_by_role("button", name="Train the comparison")).to_be_visible()
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Home").click()
    _expect_page(page, wait_for, "LSTM Studio")
    _assert_no_exception(page)
    screenshot(page, "back_home")


def test_a_fresh_servers_first_visit_by_deep_link_gets_the_apps_navigation(
    browser, fresh_app_server, screenshot
):
    # Streamlit treats a pages/ folder as a legacy multipage app until app.py has run once:
    # a first visit straight to a page's URL used to get a sidebar of raw file names.
    with fresh_app_server() as url:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.goto(f"{url}/mnist_classifier")
        expect(page.locator('[data-testid="stMain"] h1')).to_have_text("MNIST classifier", timeout=60_000)
        nav = page.locator('[data-testid="stSidebarNav"]')
        expect(nav).to_contain_text("Forecast")
        assert "app" not in nav.inner_text().split("\n")
        screenshot(page, "deep_link_first_visit")
        context.close()
