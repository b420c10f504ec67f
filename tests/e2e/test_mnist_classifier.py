"""The MNIST page in a real browser: train briefly, watch it live, then screenshot every result tab."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _assert_no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def test_train_briefly_and_see_the_results(browser, app_url, wait_for, screenshot):
    # A tall viewport: Streamlit scrolls inside its own container, so full-page shots need it.
    context = browser.new_context(base_url=app_url, viewport={"width": 1400, "height": 2600})
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        page.goto("/mnist_classifier")
        wait_for(page, "2 · Model and training")
        expect(page.get_by_text("Offline MNIST subset: 4,000 train / 1,000 held-out digits")).to_be_visible()
        page.get_by_role("spinbutton", name="Max training digits").fill("600")
        page.keyboard.press("Enter")
        wait_for(page, "2 · Model and training")
        expect(page.get_by_text("Offline MNIST subset: 600 train")).to_be_visible()
        # Out of range: a message, not just a red field and a Train button that does nothing.
        hidden = page.get_by_role("spinbutton", name="Hidden size")
        kept = hidden.input_value()
        hidden.fill("5000")
        page.get_by_role("button", name="Train", exact=True).click()
        expect(page.get_by_text("Hidden size must be at most 512 on this page; got 5,000.")).to_be_visible()
        hidden.fill(kept)
        page.get_by_role("spinbutton", name="Epochs").fill("2")
        page.get_by_role("button", name="Train", exact=True).click()
        # 20 iterations run in seconds, so the live state may already be over: accept either.
        expect(page.get_by_text(re.compile(r"Epoch [12] / 2|Preparing the model")).first).to_be_visible(
            timeout=60_000)
        screenshot(page, "mnist_training_live", full_page=False)
        # The run ends on its own; the page then reruns once and shows the outcome.
        expect(page.get_by_text("Completed 2 epochs", exact=False)).to_be_visible(timeout=180_000)
        _assert_no_exception(page)
        screenshot(page, "mnist_training_done", full_page=False)
        for tab, marker in (("Accuracy", "Train accuracy (epoch"), ("Digits", "Right answers"),
                            ("Reading a digit", "Method:"), ("Parameters", "parameters.")):
            page.get_by_role("tab", name=tab).click()
            expect(page.get_by_text(marker, exact=False).first).to_be_visible()
            page.wait_for_timeout(1500)  # let plotly draw
            _assert_no_exception(page)
            screenshot(page, f"mnist_{tab.lower().replace(' ', '_')}", full_page=False)
        assert page.locator('[data-testid="stPlotlyChart"]').count() >= 4
    finally:
        context.close()
