"""The MNIST page in a real browser: settings in the sidebar, train briefly with the run and its verdict in
view, then screenshot every result tab."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
VIEWPORT = {"width": 1400, "height": 900}  # a laptop screen: what is below it needs scrolling


def _assert_no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def _in_view(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] < VIEWPORT["height"]


def test_train_briefly_with_the_run_in_view_and_see_the_results(new_page, wait_for, screenshot):
    page = new_page(VIEWPORT["width"], VIEWPORT["height"], timeout_ms=60_000)
    page.goto("/mnist_classifier")
    wait_for(page, "MNIST classifier")
    sidebar = page.get_by_test_id("stSidebar")
    using = sidebar.get_by_text("Offline MNIST subset: 4,000 train / 1,000 held-out digits")
    expect(using).to_be_visible()
    screenshot(page, "mnist_start", full_page=False)
    sidebar.get_by_role("spinbutton", name="Max training digits").fill("600")
    page.keyboard.press("Enter")
    expect(sidebar.get_by_text("Offline MNIST subset: 600 train")).to_be_visible()
    # Out of range: explained at the field as soon as it is entered; Train waits.
    hidden = sidebar.get_by_role("spinbutton", name="Hidden size")
    kept = hidden.input_value()
    hidden.fill("5000")
    page.keyboard.press("Enter")
    message = "Hidden size: enter a whole number from 1 to 4,096; got 5,000."
    expect(sidebar.get_by_text(message)).to_be_visible()
    train = page.get_by_role("button", name="Train", exact=True)
    expect(train).to_be_disabled()
    screenshot(page, "mnist_field_error", full_page=False)
    hidden.fill(kept)
    page.keyboard.press("Enter")
    epochs = sidebar.get_by_role("spinbutton", name="Epochs")
    epochs.fill("3")
    page.keyboard.press("Enter")
    expect(train).to_be_enabled()
    train.click()
    # A short run may be over before the first look: accept any of its states.
    expect(page.get_by_text(re.compile(r"Epoch [0-3] / 3|Preparing the data|Waiting for a worker")).first
           ).to_be_visible(timeout=60_000)
    screenshot(page, "mnist_training_live", full_page=False)
    # The run ends on its own; the page reruns once and leads with the verdict.
    verdict = page.get_by_text(re.compile(r"Test accuracy [\d.]+ % on 1,000 held-out digits, against"))
    expect(verdict).to_be_visible(timeout=180_000)
    _assert_no_exception(page)
    page.wait_for_timeout(1500)  # let plotly draw
    charts = page.locator('[data-testid="stPlotlyChart"]')
    assert _in_view(verdict) and _in_view(charts.first), "the verdict and the live charts are in view"
    screenshot(page, "mnist_training_done", full_page=False)
    page.set_viewport_size({"width": 1400, "height": 2600})  # Streamlit scrolls inside: a tall view
    for tab, marker in (("Accuracy", "Train accuracy (epoch"), ("Digits", "Right answers"),
                        ("Reading a digit", "Method:"), ("Parameters", "parameters.")):
        page.get_by_role("tab", name=tab).click()
        expect(page.get_by_text(marker, exact=False).first).to_be_visible()
        page.wait_for_timeout(1500)  # let plotly draw
        _assert_no_exception(page)
        screenshot(page, f"mnist_{tab.lower().replace(' ', '_')}", full_page=False)
    assert charts.count() >= 4


def test_seed_000_charts_keep_their_legends_clear_of_the_axes(new_page, wait_for, screenshot):
    """Seed 000 reports test accuracy every N iterations: the charts with the most legend entries."""
    page = new_page(1400, 1300, timeout_ms=60_000)
    page.goto("/mnist_classifier")
    wait_for(page, "MNIST classifier")
    sidebar = page.get_by_test_id("stSidebar")
    preset = sidebar.get_by_test_id("stSelectbox").filter(has_text="Preset")
    preset.get_by_role("combobox").click()
    page.get_by_role("option", name="Seed 000").click()
    expect(sidebar.get_by_role("spinbutton", name="Hidden size")).to_have_value("100")
    small = (("Max training digits", "600"), ("Max iterations", "60"), ("Test interval", "20"))
    for name, value in small:
        sidebar.get_by_role("spinbutton", name=name).fill(value)
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
    page.get_by_role("button", name="Train", exact=True).click()
    verdict = page.get_by_text(re.compile(r"Test accuracy [\d.]+ % on 1,000 held-out digits"))
    expect(verdict).to_be_visible(timeout=180_000)
    page.wait_for_timeout(1500)  # let plotly draw
    _assert_no_exception(page)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    for k in range(2):  # the Training tab's loss and accuracy: each legend ends above its x-axis title
        legend = charts.nth(k).locator(".legend").bounding_box()
        axis = charts.nth(k).locator(".g-xtitle").bounding_box()
        assert legend["y"] + legend["height"] < axis["y"]
    screenshot(page, "mnist_seed000_charts", full_page=False)
