"""The Compare page in a real browser: settings from a link, a small comparison live, every chart filled."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

LINK = "/compare_models?T=20&n=2000&epochs=3&hidden=16&models=RNN,LSTM,LSTM-default,GRU&lengths=5,10"
CHART_DATA = """els => els.map(el => (el.data || []).map(t => {
    const v = t.z || t.y || [];
    if (v.bdata !== undefined) return v.bdata.length;  // plotly's base64 form of a numeric array
    return Array.from(v).reduce((n, row) => n + (row === null ? 0 : row.length ?? 1), 0);
}))"""


def _assert_no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def _visible_charts(page) -> list[list[int]]:
    """Points per trace of every Plotly chart drawn in the visible tab panel."""
    panel = page.locator('[role="tabpanel"]:visible')
    return panel.locator(".js-plotly-plot").evaluate_all(CHART_DATA)


def _open_form(page) -> None:
    """The settings fold away once a run starts; open them again if they are folded."""
    box = page.get_by_role("textbox", name="Sweep lengths T")
    for _ in range(5):  # the fold arrives with the rerun after Train: open it once it has folded
        page.wait_for_timeout(1000)
        if box.is_visible():
            return
        page.get_by_text("1 · Task, models and budget").click()
    expect(box).to_be_visible()


def _show(page, name: str) -> None:
    """Open a tab and scroll it to the top of the window (the form above is tall)."""
    tab = page.get_by_role("tab", name=name)
    tab.click()
    tab.evaluate("el => el.scrollIntoView({block: 'start'})")


def _tab(page, name: str, marker: str, screenshot, shot: str, charts: int) -> list[list[int]]:
    _show(page, name)
    expect(page.locator('[role="tabpanel"]:visible').get_by_text(marker, exact=False).first).to_be_visible()
    deadline = time.monotonic() + 20
    while len(_visible_charts(page)) < charts and time.monotonic() < deadline:
        page.wait_for_timeout(300)
    page.wait_for_timeout(800)  # let plotly finish drawing
    _assert_no_exception(page)
    screenshot(page, shot, full_page=False)
    drawn = _visible_charts(page)
    assert len(drawn) >= charts, (name, drawn)
    assert all(any(n > 0 for n in traces) for traces in drawn), (name, drawn)
    return drawn


def test_a_small_comparison_in_the_browser_fills_every_chart(new_page, wait_for, screenshot):
    page = new_page(1400, 1600, timeout_ms=60_000)
    page.goto(LINK)
    wait_for(page, "1 · Task, models and budget")
    screenshot(page, "compare_opened", full_page=False)
    expect(page.get_by_role("spinbutton", name="Sequence length T (memory distance)")).to_have_value("20")
    screenshot(page, "compare_form", full_page=False)
    page.get_by_role("button", name="Train the comparison").click()
    # Pause (pressed at once: the whole comparison takes seconds) holds it, Step trains one epoch.
    pause = page.get_by_role("button", name="Pause")
    expect(pause).to_be_enabled()
    pause.click()
    expect(page.get_by_text(re.compile(r"Paused (after epoch|before training)|paused · Step")).first
           ).to_be_visible()
    step = page.get_by_role("button", name="Step")
    expect(step).to_be_enabled()
    step.click()
    expect(page.get_by_text(re.compile(r"Paused after epoch [1-3] of 3|paused · Step")).first
           ).to_be_visible(timeout=60_000)
    screenshot(page, "compare_paused", full_page=False)
    pressed = time.monotonic()
    page.get_by_role("button", name="Resume").click()
    page.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=90_000)
    first_chart = time.monotonic() - pressed
    # The page answers while it trains: a bad entry is explained at once, under its widget.
    _open_form(page)
    lengths = page.get_by_role("textbox", name="Sweep lengths T")
    asked = time.monotonic()
    lengths.fill("5, x")
    lengths.press("Tab")
    expect(page.get_by_text("Sweep lengths T: enter whole numbers", exact=False)).to_be_visible()
    answered = time.monotonic() - asked
    lengths.fill("5, 10")
    lengths.press("Tab")
    expect(page.get_by_text("Sweep lengths T: enter", exact=False)).to_have_count(0)
    hidden = page.get_by_role("spinbutton", name="Hidden size")
    hidden.fill("0")
    hidden.press("Tab")
    expect(page.get_by_text("Hidden size: enter a whole number from 1 to 4,096; got 0.")).to_be_visible()
    expect(page.get_by_role("button", name="Run the sweep over T")).to_be_disabled()
    screenshot(page, "compare_error_under_widget", full_page=False)
    hidden.fill("16")
    hidden.press("Tab")
    expect(page.get_by_text("Hidden size: enter", exact=False)).to_have_count(0)
    _show(page, "Training")
    screenshot(page, "compare_training_live", full_page=False)
    print(f"first live chart {first_chart:.1f} s after Resume; a rerun while training answered in "
          f"{answered:.2f} s")
    expect(page.get_by_text(re.compile(r"4 models trained"))).to_be_visible(timeout=240_000)
    _assert_no_exception(page)
    _tab(page, "Training", "Each line is one model", screenshot, "compare_training_done", charts=2)
    _show(page, "Results")
    headline = re.compile(r"Best: \w|\w tie with")  # models tied for best are named as a tie
    expect(page.get_by_text(headline).first).to_be_visible()
    screenshot(page, "compare_results", full_page=False)
    _tab(page, "Gradient over time", "vanishing gradients", screenshot, "compare_gradients", charts=1)
    _tab(page, "Look inside an LSTM", "Units ranked", screenshot, "compare_inside", charts=2)
    _show(page, "Show the code")
    expect(page.get_by_text("import torch").first).to_be_visible()
    screenshot(page, "compare_code", full_page=False)
    _open_form(page)
    pressed = time.monotonic()
    page.get_by_role("button", name="Run the sweep over T").click()
    _show(page, "Training")
    expect(page.get_by_text(re.compile(r"Sweep: \d of 8 models trained")).first).to_be_visible()
    print(f"sweep progress shown {time.monotonic() - pressed:.1f} s after its button (warm worker)")
    expect(page.get_by_text(re.compile(r"Sweep done: 8 models trained"))).to_be_visible(timeout=240_000)
    _tab(page, "Success against distance", "Points appear as they finish", screenshot, "compare_sweep",
         charts=1)
