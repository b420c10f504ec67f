"""MNIST figures: trace counts, names and axis titles (not pixels)."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pytest

from lstm_core.plots import (
    accuracy_figure,
    belief_figure,
    belief_lines_figure,
    confusion_figure,
    digit_grid_figure,
    per_class_figure,
)
from lstm_core.progress import EpochProgress, EvalPoint


def _epoch(epoch: int, step: int) -> EpochProgress:
    metrics = MappingProxyType({"train_accuracy": 0.5 + epoch / 10, "val_accuracy": 0.45 + epoch / 10,
                                "test_accuracy": 0.4 + epoch / 10})
    return EpochProgress(epoch, 3, step, 30, 1.0 / epoch, 1.1 / epoch, metrics, 1.0, 1.0, epoch, 1.1 / epoch)


def _eval(step: int) -> EvalPoint:
    return EvalPoint(1, step, 0.9, 1.0, MappingProxyType({"val_accuracy": 0.55, "test_accuracy": 0.5}))


def test_accuracy_figure_per_epoch_and_every_n_iterations():
    fig = accuracy_figure([_epoch(1, 10), _epoch(2, 20)], [_eval(5), _eval(10), _eval(15)], total_steps=30)
    assert [t.name for t in fig.data] == ["train accuracy", "validation accuracy", "test accuracy",
                                          "test accuracy (every 5 iterations)"]
    assert list(fig.data[0].x) == [10, 20]
    assert [t.y[0] for t in fig.data] == pytest.approx([60.0, 55.0, 50.0, 50.0])
    assert fig.layout.xaxis.title.text == "iteration (optimiser step)"
    assert fig.layout.yaxis.title.text == "accuracy (%)"
    assert fig.layout.xaxis.range[1] > 30


def test_accuracy_figure_without_data_is_empty_but_valid():
    assert len(accuracy_figure([]).data) == 0


def test_confusion_figure_counts_and_shares():
    cm = np.diag(np.full(10, 9))
    cm[3, 5] = 1
    fig = confusion_figure(cm)
    (heat,) = fig.data
    assert heat.type == "heatmap" and heat.name == "confusion"
    assert np.asarray(heat.z)[3, 3] == pytest.approx(90.0)
    assert np.asarray(heat.text)[3, 5] == 1
    assert fig.layout.xaxis.title.text == "predicted class"
    assert fig.layout.yaxis.title.text == "true class"


def test_per_class_figure_bars_start_at_zero_with_the_overall_line():
    fig = per_class_figure(np.linspace(0.9, 1.0, 10), overall=0.95)
    assert [t.name for t in fig.data] == ["accuracy per class"]
    assert fig.layout.yaxis.title.text == "accuracy (%)"
    assert fig.layout.yaxis.range[0] == 0  # lengths compare honestly
    (line,) = fig.layout.shapes
    assert line.y0 == line.y1 == pytest.approx(95.0)
    assert fig.layout.title.text.endswith("dashed: all digits, 95.0 %")
    assert list(fig.data[0].text[:2]) == ["90", "91"] and fig.data[0].textangle == 0  # upright whole percents
    empty = per_class_figure(np.full(10, np.nan))
    assert len(empty.layout.shapes) == 0 and set(empty.data[0].text) == {""}


def test_line_charts_keep_the_legend_clear_of_the_x_axis_title():
    from lstm_core.plots import loss_figure
    from lstm_core.plots.mnist import legend_above

    for fig in (accuracy_figure([_epoch(1, 10)]), legend_above(loss_figure([_epoch(1, 10)])),
                belief_lines_figure(np.full((28, 10), 0.1), label=3)):
        assert fig.layout.legend.yanchor == "bottom" and fig.layout.legend.y >= 1  # above the plot
        assert fig.layout.margin.t >= 66  # with room under the title


def test_each_legend_row_gets_its_own_room():
    from lstm_core.plots.mnist import legend_above

    few = accuracy_figure([_epoch(1, 10)])  # three curves: two rows of two
    many = accuracy_figure([_epoch(1, 10)], [_eval(5)])  # four
    assert few.layout.height == many.layout.height == 300 + 2 * 20
    seven = legend_above(accuracy_figure([_epoch(1, 10)]).add_scatter(y=[1]).add_scatter(y=[2])
                         .add_scatter(y=[3]).add_scatter(y=[4]))
    assert seven.layout.height == 300 + 4 * 20 and seven.layout.margin.t > few.layout.margin.t
    assert legend_above(seven).layout.height == seven.layout.height  # applying it again changes nothing


def test_digit_grid_one_panel_per_digit_with_coloured_captions():
    images = np.random.default_rng(0).random((8, 28, 28))
    titles = [f"true {i} → {(i + 1) % 10} · 90 %" for i in range(8)]
    fig = digit_grid_figure(images, titles, wrong=[True] * 4 + [False] * 4, cols=4)
    assert len(fig.data) == 8 and all(t.type == "heatmap" for t in fig.data)
    captions = [a.text for a in fig.layout.annotations]
    assert captions == titles
    assert fig.layout.annotations[0].font.color == "#dc2626"
    assert fig.layout.annotations[7].font.color == "#15803d"
    assert fig.layout.yaxis.autorange == "reversed"  # row 1 at the top


def test_digit_grid_edge_cases():
    assert len(digit_grid_figure(np.zeros((0, 28, 28)), []).data) == 0
    with pytest.raises(ValueError, match="2 images but 1 titles"):
        digit_grid_figure(np.zeros((2, 28, 28)), ["a"])


def test_belief_figure_panels():
    beliefs = np.full((28, 10), 0.1)
    fig = belief_figure(beliefs, np.zeros((28, 28)), label=7)
    assert [t.name for t in fig.data] == ["digit", "belief"]
    assert fig.layout.annotations[0].text == "digit (true class 7)"
    assert fig.layout.yaxis.title.text == "row read (t)"
    assert fig.layout.xaxis2.title.text == "class"
    with pytest.raises(ValueError, match=r"beliefs must be \(28, 10\)"):
        belief_figure(np.zeros((27, 10)), np.zeros((28, 28)))


def test_belief_lines_figure_marks_the_true_class_and_a_wrong_answer_on_top():
    beliefs = np.full((28, 10), 0.1)
    beliefs[-1] = 0.0
    beliefs[-1, 5] = 1.0  # it ends up saying 5
    fig = belief_lines_figure(beliefs, label=3)
    assert len(fig.data) == 10
    true, answer = fig.data[-2], fig.data[-1]  # drawn last: on top of the grey lines
    assert true.name == "class 3 (true)" and true.line.width == 4 and true.line.color == "#111827"
    assert answer.name == "class 5 (answer)" and answer.line.color == "#dc2626"
    assert {t.line.color for t in fig.data[:-2]} == {"#9ca3af"}
    assert [t.name for t in fig.data if t.showlegend] == ["class 3 (true)", "class 5 (answer)"]
    assert [a.text.strip() for a in fig.layout.annotations] == ["3", "5"]  # each marked line named at its end
    assert fig.layout.xaxis.title.text == "rows read (t)"
    right = belief_lines_figure(np.full((28, 10), 0.1), label=0)  # right answer: only the true class marked
    assert [t.name for t in right.data if t.line.color != "#9ca3af"] == ["class 0 (true)"]


def test_belief_figure_frames_the_true_class_column():
    fig = belief_figure(np.full((28, 10), 0.1), np.zeros((28, 28)), label=7)
    (frame,) = fig.layout.shapes
    assert (frame.x0, frame.x1) == (6.5, 7.5)
    assert fig.layout.xaxis2.ticktext[7] == "7 (true)"  # the true class, whatever the model answered
    assert len(belief_figure(np.full((28, 10), 0.1), np.zeros((28, 28))).layout.shapes) == 0


