"""The forecast page in a real browser: train live, the loss chart moves, Stop, final chart."""

from __future__ import annotations

import re
import time


def _epoch(page) -> int:
    text = page.locator('[data-testid="stProgress"]').first.inner_text()
    match = re.search(r"Epoch (\d+) /", text)
    return int(match.group(1)) if match else 0


def test_train_watch_the_loss_move_stop_and_see_the_fit(page, wait_for, screenshot):
    page.goto("/stock_forecast")
    wait_for(page, "2 · Model and training")
    page.get_by_label("Epochs").fill("500")
    patience = page.get_by_role("spinbutton", name="Patience")
    patience.fill("0")
    patience.press("Tab")
    page.get_by_role("button", name="Train").click()
    page.get_by_text(re.compile(r"Epoch [1-9]\d* /")).first.wait_for()

    # The loss chart redraws while the run goes on: its train-loss curve gains points.
    deadline = time.monotonic() + 60
    first = _epoch(page)
    while _epoch(page) < first + 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _epoch(page) >= first + 2, "the progress did not move"
    loss_chart = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="Loss").first
    assert loss_chart.locator("path.js-line").count() >= 1
    screenshot(page, "stock_forecast_training")

    # Switching tabs does not restart the run.
    before = _epoch(page)
    page.get_by_role("tab", name="Metrics").click()
    page.get_by_role("tab", name="Training").click()
    time.sleep(1)
    assert _epoch(page) >= before

    page.get_by_role("button", name="Stop").click()
    page.get_by_text("Stopped by request", exact=False).first.wait_for()
    page.get_by_role("tab", name="Fit & forecast").click()
    charts = page.locator('[data-testid="stPlotlyChart"]')
    chart = charts.filter(has_text="actual and predicted (run 1)").first
    chart.wait_for()
    chart.scroll_into_view_if_needed()
    assert chart.get_by_text("train boundary").count() >= 1
    assert chart.get_by_text("forecast (recursive)").count() >= 1
    page_shot = screenshot(page, "stock_forecast_final_page")
    chart.screenshot(path=str(page_shot.with_name("stock_forecast_final_chart.png")))
