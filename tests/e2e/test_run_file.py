"""A saved run file loads back into the forecast page and becomes the shown result."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from lstm_core.config import ForecastDataConfig, ModelConfig, TrainConfig
from lstm_core.data import load_bundled
from lstm_core.forecasting import train_forecaster
from lstm_core.persistence import save_run
from lstm_core.run_records import forecast_record


def _run_file(tmp_path: Path) -> Path:
    frame = load_bundled("BTC-USD")
    result = train_forecaster(frame, ForecastDataConfig(seq_len=10), ModelConfig(hidden_size=4, num_layers=1),
                              TrainConfig(epochs=1))
    path = tmp_path / "btc_tiny.pt"
    save_run(forecast_record(result), path)
    return path


def test_a_run_file_loads_and_is_shown(page, wait_for, screenshot, tmp_path: Path):
    path = _run_file(tmp_path)
    page.goto("/stock_forecast")
    wait_for(page, "Forecast")
    page.get_by_role("tab", name="History").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    # The page reruns after loading, so the result tabs show the loaded run straight away.
    table = page.locator('[data-testid="stMain"]')
    expect(table.get_by_text("Could not load")).to_have_count(0)
    page.get_by_role("tab", name="Fit & forecast").click()
    chart = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="loaded: btc_tiny.pt").first
    expect(chart).to_be_visible(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "stock_forecast_loaded_run")
