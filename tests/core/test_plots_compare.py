"""Tests for the Compare page's figure builders: traces, names, axes."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core.plots.compare import (
    BASELINE_NAME,
    CHANCE_NAME,
    GATE_TITLES,
    MODEL_COLORS,
    curves_figure,
    gate_heatmaps_figure,
    gradient_figure,
    model_color,
    sweep_figure,
    unit_trace_figure,
)


def test_curves_figure_one_line_per_model_and_a_level():
    fig = curves_figure({"RNN": ([1, 2, 3], [0.3, 0.25, 0.26]), "LSTM": ([1, 2], [0.5, 0.99])},
                        "Validation accuracy", "accuracy", level=0.25)
    assert [t.name for t in fig.data] == ["RNN", "LSTM", CHANCE_NAME]
    assert list(fig.data[2].x) == [1, 3] and list(fig.data[2].y) == [0.25, 0.25]
    assert fig.layout.xaxis.title.text == "epoch" and fig.layout.yaxis.title.text == "accuracy"
    assert fig.data[1].line.color == MODEL_COLORS["LSTM"]
    log = curves_figure({"GRU": ([1], [2.0])}, "Loss", "loss", log_y=True)
    assert log.layout.yaxis.type == "log" and len(log.data) == 1


def test_sweep_figure_points_in_order_with_chance():
    points = {"LSTM (forget bias 3)": [(100, 1.0), (10, 1.0)], "RNN": [(10, 0.9)]}
    fig = sweep_figure(points, "accuracy", chance=0.25, lengths=[10, 20, 50, 100])
    assert [t.name for t in fig.data] == ["LSTM (forget bias 3)", "RNN", CHANCE_NAME]
    assert list(fig.data[0].x) == [10, 100] and list(fig.data[0].y) == [100.0, 100.0]
    assert list(fig.data[2].x) == [10, 100] and list(fig.data[2].y) == [25.0, 25.0]
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.title.text == "test accuracy (%)"
    assert fig.data[0].line.color == MODEL_COLORS["LSTM"]
    mse = sweep_figure({"LSTM": [(50, 0.001)]}, "mse", chance=0.04, chance_name=BASELINE_NAME)
    assert mse.data[1].name == BASELINE_NAME and mse.layout.yaxis.title.text == "test MSE"
    empty = sweep_figure({}, "accuracy", chance=0.25)
    assert len(empty.data) == 0


def test_gradient_figure_log_axis_and_zeros_left_out():
    fig = gradient_figure({"RNN": np.array([1e-9, 1e-4, 1.0]), "LSTM": [0.0, 0.5, 1.0]})
    assert fig.layout.yaxis.type == "log"
    assert list(fig.data[0].x) == [1, 2, 3]
    assert list(fig.data[1].y) == [None, 0.5, 1.0]
    assert fig.layout.xaxis.title.text == "input step t"


def test_gate_heatmaps_figure_panels_and_scales():
    rng = np.random.default_rng(0)
    mats = {f: rng.random((12, 5)) for f in GATE_TITLES}
    fig = gate_heatmaps_figure(mats, markers=[2, 7])
    assert [t.name for t in fig.data] == list(GATE_TITLES.values())
    assert np.asarray(fig.data[0].z).shape == (5, 12)  # units down, time across
    assert fig.data[0].zmin == 0 and fig.data[0].zmax == 1  # gates in [0, 1]
    assert fig.data[4].zmid == 0  # the cell state is signed
    assert len(fig.layout.shapes) == 2 * len(GATE_TITLES)
    with pytest.raises(ValueError, match="no data for cell"):
        gate_heatmaps_figure({"hidden": mats["hidden"]}, fields=("hidden", "cell"))


def test_unit_trace_figure():
    mats = {f: np.arange(24, dtype=float).reshape(8, 3) for f in GATE_TITLES}
    fig = unit_trace_figure(mats, 1, signal=[0, 1, 0, 0, 0, 1, 0, 0])
    assert [t.name for t in fig.data] == ["cell state C", "hidden state h", "forget gate f", "input gate i",
                                          "task marker"]
    assert list(fig.data[0].y) == [1.0, 4.0, 7.0, 10.0, 13.0, 16.0, 19.0, 22.0]
    assert fig.layout.title.text == "Unit 1 over the input"
    with pytest.raises(ValueError, match="unit must be in \\[0, 2\\]"):
        unit_trace_figure(mats, 3)


def test_model_color_by_kind_and_spare():
    assert model_color("GRU") == MODEL_COLORS["GRU"]
    assert model_color("LSTM (default init)") == MODEL_COLORS["LSTM"]
    assert model_color("mystery", 0) != model_color("mystery", 1)


def test_variants_share_the_colour_and_are_dashed():
    fig = curves_figure({"LSTM": ([1], [1.0]), "LSTM (default init)": ([1], [0.25])}, "t", "y")
    assert fig.data[0].line.color == fig.data[1].line.color
    assert (fig.data[0].line.dash, fig.data[1].line.dash) == ("solid", "dash")
    assert model_color("LSTM-default") == MODEL_COLORS["LSTM"]
    assert curves_figure({"LSTM-default": ([1], [1.0])}, "t", "y").data[0].line.dash == "dash"
