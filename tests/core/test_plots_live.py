"""Live and result figures of the forecast page: an empty loss chart, the first batch, bands, horizon."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lstm_core.plots import fit_figure, loss_figure
from lstm_core.plots.forecast import horizon_figure


def test_an_empty_loss_chart_is_a_labelled_frame_not_default_axes():
    fig = loss_figure([], total_epochs=40)
    assert list(fig.layout.yaxis.range) == [0, 1] and list(fig.layout.xaxis.range) == [0.5, 40.5]
    assert fig.layout.annotations[0].text.startswith("waiting for the first loss")


def test_the_first_batch_alone_is_drawn_as_a_dot():
    fig = loss_figure([], total_epochs=40, batches=((1,), (0.9,)), steps_per_epoch=30)
    (trace, *_) = fig.data
    assert trace.name == "batch loss" and trace.mode == "markers" and not fig.layout.annotations
    fig = loss_figure([], total_epochs=40, batches=((1, 10), (0.9, 0.7)), steps_per_epoch=30)
    assert fig.data[0].mode == "lines"


def test_fit_figure_draws_bands_first_the_actual_on_top_and_baselines_dashed():
    dates = pd.bdate_range("2024-01-01", periods=40)
    series = pd.Series(np.arange(40.0), index=dates)
    windows = dates[5:]
    parts = {"train": slice(0, 20), "val": slice(20, 28), "test": slice(28, 35)}
    predicted = np.arange(35.0) + 5.5
    band = ("95% interval (test)", windows[28:35], predicted[28:35] - 1, predicted[28:35] + 1)
    line = ("naive (best baseline, test)", windows[28:35], predicted[28:35] - 0.5)
    fig = fit_figure(series, windows, predicted, parts, bands=[band], lines=[line], y_title="Close")
    names = [t.name for t in fig.data]
    assert names[:2] == ["95% interval (test)", "actual"] and fig.data[0].fill == "toself"
    assert fig.data[1].zorder == 1  # the actual is drawn over the predictions
    assert "naive (best baseline, test)" in names and fig.layout.yaxis.title.text == "Close"


def test_horizon_figure_has_one_trace_per_forecaster_with_fixed_colours():
    table = pd.DataFrame({"model": [1.0, 1.5], "naive": [1.1, 1.6], "linear AR": [0.9, 1.4]}, index=[1, 2])
    fig = horizon_figure(table, x_title="days ahead")
    assert [t.name for t in fig.data] == ["model", "naive", "linear AR"]
    assert fig.layout.xaxis.title.text == "days ahead" and fig.data[0].line.width == 3
    assert fig.data[1].line.dash == "dot"
