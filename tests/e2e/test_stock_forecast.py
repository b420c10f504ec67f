"""The forecast page in a real browser: settings in the sidebar, train live, Pause / Step / Resume /
Stop, the verdict in view, every result tab; a wrong value explained at its widget at once."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect


def _epoch(page) -> int:
    text = page.locator('[data-testid="stProgress"]').first.inner_text()
    match = re.search(r"(?:Epoch|after epoch) (\d+)", text)
    return int(match.group(1)) if match else 0


def _set(page, label: str, value: str) -> None:
    box = page.locator('[data-testid="stSidebar"]').get_by_role("spinbutton", name=label)
    box.fill(value)
    box.press("Tab")


def _until(condition, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _settled_epoch(page, quiet: float = 1.0, timeout: float = 30) -> int:
    """The epoch shown once it has stayed the same for ``quiet`` seconds."""
    deadline, shown, since = time.monotonic() + timeout, _epoch(page), time.monotonic()
    while time.monotonic() - since < quiet:
        assert time.monotonic() < deadline, "the epoch never settled"
        time.sleep(0.2)
        if _epoch(page) != shown:
            shown, since = _epoch(page), time.monotonic()
    return shown


def test_train_pause_step_resume_stop_and_the_verdict_in_view(page, wait_for, screenshot):
    page.goto("/stock_forecast")
    wait_for(page, "Forecast")
    screenshot(page, "forecast_01_idle", full_page=False)
    _set(page, "Epochs", "400")
    _set(page, "Patience", "0")
    time.sleep(1)
    page.get_by_role("button", name="Train").click()
    page.get_by_text(re.compile(r"Epoch [1-9]\d* /")).first.wait_for()
    loss = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="Loss").first
    expect(loss.locator("path.js-line").first).to_be_attached()
    screenshot(page, "forecast_02_training", full_page=False)

    page.get_by_role("button", name="Pause").click()
    page.get_by_text(re.compile(r"Paused after epoch \d+")).first.wait_for()
    held = _settled_epoch(page)  # an epoch under way when Pause was pressed may still report in
    time.sleep(1.5)
    assert _epoch(page) == held, "a paused run went on training"
    screenshot(page, "forecast_03_paused", full_page=False)
    page.get_by_role("button", name="Step").click()
    _until(lambda: _epoch(page) == held + 1 and "Paused" in page.locator('[data-testid="stProgress"]')
           .first.inner_text())
    assert page.get_by_text(f"After epoch {held + 1}:").first.is_visible()  # the charts and losses moved on
    screenshot(page, "forecast_04_stepped", full_page=False)
    page.get_by_role("button", name="Resume").click()
    _until(lambda: _epoch(page) >= held + 3)

    page.get_by_role("button", name="Stop").click()
    verdict = page.get_by_text(re.compile(r"best baseline, .*test windows")).first
    verdict.wait_for(timeout=60_000)
    box = verdict.bounding_box()
    assert box is not None and box["y"] + box["height"] < 900, box  # in view without scrolling
    assert page.get_by_text("Stopped by request", exact=False).first.is_visible()
    screenshot(page, "forecast_05_stopped_verdict", full_page=False)

    for tab, text, name in (("Fit & forecast", "actual and predicted (run 1)", "forecast_06_fit"),
                            ("Metrics", "interval: covers", "forecast_07_metrics"),
                            ("Error by horizon", "Error against horizon", "forecast_08_horizon"),
                            ("History", "test period", "forecast_09_history")):
        page.get_by_role("tab", name=tab).click()
        page.get_by_text(text).first.wait_for()
        screenshot(page, name)
    fit = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="actual and predicted (run 1)").first
    assert fit.get_by_text("train boundary").count() >= 1 and fit.get_by_text("actual").count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_wrong_value_is_explained_at_its_widget_before_train(page, wait_for, screenshot):
    page.goto("/stock_forecast")
    wait_for(page, "Forecast")
    _set(page, "Hidden size", "0")
    error = page.locator('[data-testid="stSidebar"]').get_by_text(
        "Hidden size: enter a whole number from 1 to 4,096; got 0.")
    error.wait_for()
    expect(page.get_by_role("button", name="Train")).to_be_disabled()
    error.scroll_into_view_if_needed()
    screenshot(page, "forecast_10_field_error", full_page=False)
    _set(page, "Hidden size", "32")
    expect(error).to_have_count(0)
    expect(page.get_by_role("button", name="Train")).to_be_enabled()
