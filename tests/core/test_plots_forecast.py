"""Forecast figures: trace names, boundaries, range slider, residuals and overlays (no pixels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstm_core.config import ForecastDataConfig
from lstm_core.forecast_presets import FORECAST_PRESETS, last_rows
from lstm_core.forecasting import prepare_forecast_data
from lstm_core.plots import fit_figure, overlay_figure, price_figure, residuals_figure


@pytest.fixture
def data():
    index = pd.bdate_range("2020-01-01", periods=200, name="Date")
    frame = pd.DataFrame({"Close": 100 + np.sin(np.arange(200) / 5) * 10}, index=index)
    return prepare_forecast_data(frame, ForecastDataConfig(seq_len=8))


def _names(fig) -> list[str]:
    return [t.name for t in fig.data]


def test_fit_figure_draws_seed_003s_picture(data):
    future = pd.Series(
        [1.0, 2.0], index=pd.bdate_range(data.series.index[-1] + pd.Timedelta(days=3), periods=2)
    )
    fig = fit_figure(data.series, data.dates, data.actual, data.parts, future=future)
    assert _names(fig) == [
        "actual",
        "train prediction",
        "validation prediction",
        "test prediction",
        "train boundary",
        "test boundary",
        "forecast (recursive)",
    ]
    boundary = fig.data[4]
    assert boundary.line.dash == "dash" and boundary.x[0] == data.dates[data.parts["val"].start]
    assert fig.layout.xaxis.rangeslider.visible and fig.layout.xaxis.title.text == "date"
    assert fig.data[-1].line.dash == "dot" and fig.data[-1].x[0] == data.series.index[-1]
    # The actual is listed first but drawn on top, thin, so that a close fit cannot hide it.
    assert fig.data[0].zorder > max(t.zorder or 0 for t in fig.data[1:4])
    assert fig.data[0].line.width < fig.data[3].line.width


def test_fit_figure_before_any_prediction_and_without_validation():
    index = pd.bdate_range("2020-01-01", periods=100)
    frame = pd.DataFrame({"Close": np.linspace(1, 2, 100)}, index=index)
    d = prepare_forecast_data(frame, ForecastDataConfig(seq_len=5, val_fraction=0.0))
    assert _names(fit_figure(d.series, d.dates, None, d.parts)) == ["actual", "train boundary"]


def test_fit_figure_rejects_misaligned_predictions(data):
    with pytest.raises(ValueError, match="predictions for"):
        fit_figure(data.series, data.dates, data.actual[:-1], data.parts)


def test_residuals_overlay_and_price_figures(data):
    fig = residuals_figure(data.dates, data.actual, data.actual + 1, data.naive, data.parts)
    assert _names(fig) == ["validation residual", "test residual", "naive residual"]
    assert np.allclose(fig.data[0].y, -1)
    assert fig.data[2].zorder > (fig.data[1].zorder or 0)  # the naive line stays visible on top
    s = data.parts["test"]
    fig = overlay_figure(
        data.series, [("run 1", data.dates[s], data.actual[s]), ("run 2", data.dates[s], data.naive[s])]
    )
    assert _names(fig) == ["actual", "run 1", "run 2"]
    assert (fig.data[1].line.dash, fig.data[2].line.dash) == ("solid", "dash")  # both visible when alike
    assert fig.data[2].line.width < fig.data[1].line.width
    one = overlay_figure(data.series, [("run 1", data.dates[s], data.actual[s])],
                         title="Test predictions of run 1")
    assert one.layout.title.text == "Test predictions of run 1" and _names(one) == ["actual", "run 1"]
    assert _names(price_figure(data.series.to_frame())) == ["Close"]
    with pytest.raises(ValueError, match="not in the data"):
        price_figure(data.series.to_frame(), "Open")


def test_presets_are_valid_and_last_rows_keeps_provenance():
    assert set(FORECAST_PRESETS) == {"Recommended", "Seed 003"}
    seed = FORECAST_PRESETS["Seed 003"]
    assert (seed.model.hidden_size, seed.model.num_layers, seed.model.head, seed.train.epochs) == (
        8,
        2,
        "all",
        201,
    )
    index = pd.bdate_range("2020-01-01", periods=50)
    frame = pd.DataFrame({"Close": np.arange(50.0)}, index=index)
    frame.attrs["provenance"] = {"source": "csv", "name": "x.csv", "note": "Uploaded."}
    out = last_rows(frame, 20)
    assert (
        len(out) == 20
        and out.attrs["provenance"]["rows"] == 20
        and "last 20 of 50" in out.attrs["provenance"]["note"]
    )
    assert last_rows(frame, None) is frame
