"""loss_figure: trace names, axis titles, fixed ranges; no pixels."""

from __future__ import annotations

import math
from types import MappingProxyType

import pytest

from lstm_core.plots.forecast import PART_COLORS
from lstm_core.plots.training import loss_figure
from lstm_core.progress import EpochProgress, EvalPoint

METRICS = MappingProxyType({})


def epoch(n: int, steps_per_epoch: int = 10, val: float | None = 0.5) -> EpochProgress:
    return EpochProgress(n, 5, n * steps_per_epoch, 5 * steps_per_epoch, 1.0 / n, val, METRICS,
                         float(n), 0.0, 1, 0.5)


def point(step: int, val: float | None = 0.4) -> EvalPoint:
    return EvalPoint(1 + (step - 1) // 10, step, 0.9, val, METRICS)


def names(fig) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.name for t in fig.data]


def test_train_and_validation_curves() -> None:
    fig = loss_figure([epoch(1), epoch(2), epoch(3)])
    assert names(fig) == ["train loss", "validation loss"]
    assert list(fig.data[0].x) == [1, 2, 3]
    assert list(fig.data[0].y) == pytest.approx([1.0, 0.5, 1 / 3])
    assert fig.layout.xaxis.title.text == "epoch"
    assert fig.layout.yaxis.title.text == "loss"
    assert fig.layout.title.text == "Loss"
    assert fig.layout.yaxis.type == "log"


def test_without_validation_only_the_train_curve() -> None:
    fig = loss_figure([epoch(1, val=None), epoch(2, val=None)], log_y=False, title="MNIST")
    assert names(fig) == ["train loss"]
    assert fig.layout.yaxis.type != "log" and fig.layout.title.text == "MNIST"


def test_eval_points_sit_at_fractional_epochs() -> None:
    fig = loss_figure([epoch(1), epoch(2)], [point(5), point(10), point(15)])
    assert names(fig) == ["train loss", "validation loss", "train loss (every N steps)",
                          "validation loss (every N steps)"]
    assert list(fig.data[2].x) == pytest.approx([0.5, 1.0, 1.5])
    assert list(fig.data[3].y) == pytest.approx([0.4, 0.4, 0.4])


def test_watched_metrics_are_further_curves() -> None:
    watched = MappingProxyType({"test_loss": 0.7})
    epochs = [EpochProgress(n, 5, 10 * n, 50, 1.0 / n, 0.5, watched, float(n), 0.0, 1, 0.5) for n in (1, 2)]
    evals = [EvalPoint(1, 5, 0.9, 0.4, watched)]
    fig = loss_figure(epochs, evals, watched={"test_loss": "test loss"})
    assert names(fig) == ["train loss", "validation loss", "test loss", "train loss (every N steps)",
                          "validation loss (every N steps)", "test loss (every N steps)"]
    assert list(fig.data[2].y) == pytest.approx([0.7, 0.7])
    # a watched metric the records lack draws nothing
    assert names(loss_figure(epochs, watched={"other_loss": "other"})) == ["train loss", "validation loss"]


def test_early_points_are_placed_by_steps_per_epoch() -> None:
    # Before the first epoch ends there is no epoch record to infer steps per epoch from.
    fig = loss_figure([], [point(5)], steps_per_epoch=10)
    assert names(fig) == ["train loss", "train loss (every N steps)", "validation loss (every N steps)"]
    assert list(fig.data[1].x) == pytest.approx([0.5])


def test_log_axis_labels_show_whole_values() -> None:
    yaxis = loss_figure([epoch(1), epoch(3)]).layout.yaxis
    assert (yaxis.tickformat, yaxis.dtick) == (".2g", "D2")


def test_eval_points_without_validation() -> None:
    fig = loss_figure([epoch(1)], [point(5, val=None)])
    assert names(fig) == ["train loss", "validation loss", "train loss (every N steps)"]


def test_total_epochs_fixes_the_x_range() -> None:
    fig = loss_figure([epoch(1)], total_epochs=5)
    assert tuple(fig.layout.xaxis.range) == (0.5, 5.5)
    assert loss_figure([epoch(1)]).layout.xaxis.range is None


def test_empty_history_gives_an_empty_train_trace() -> None:
    fig = loss_figure([], total_epochs=3)
    assert names(fig) == ["train loss"] and len(fig.data[0].x) == 0


def test_a_log_axis_only_when_the_losses_span_a_wide_range() -> None:
    narrow = [EpochProgress(n, 5, 10 * n, 50, 0.0202 - n * 1e-5, None, METRICS, 1.0, 0.0, 1, 0.5)
              for n in (1, 2, 3)]
    assert loss_figure(narrow).layout.yaxis.type != "log"  # a log axis would show a single tick label
    assert loss_figure([epoch(1), epoch(3)]).layout.yaxis.type == "log"  # 1.0 down to 1/3: 3x
    assert loss_figure(narrow, log_y=True).layout.yaxis.type == "log"


def test_batches_and_an_iteration_axis_like_the_accuracy_chart() -> None:
    # 10 steps per epoch: epoch 1 ends at step 10, epoch 2 at 20; batch losses at steps 1, 5, 10, 15
    batches = ([1, 5, 10, 15], [2.3, 1.5, 1.2, 0.3])
    fig = loss_figure([epoch(1), epoch(2)], [point(5)], batches=batches, x_axis="iteration", total_steps=50)
    assert names(fig)[0] == "batch loss" and list(fig.data[0].x) == [1, 5, 10, 15]
    assert list(fig.data[1].x) == [10, 20]  # train loss at each epoch's last step
    assert fig.layout.xaxis.title.text == "iteration (optimiser step)"
    assert tuple(fig.layout.xaxis.range) == (0, 51)
    low, high = fig.layout.yaxis.range  # log axis, in decades: holds 0.3 (a batch) up to 2.3
    assert fig.layout.yaxis.type == "log" and low < math.log10(0.3) and high > math.log10(2.3)
    by_epoch = loss_figure([epoch(1)], batches=batches, steps_per_epoch=10, total_epochs=3)
    assert list(by_epoch.data[0].x) == pytest.approx([0.1, 0.5, 1.0, 1.5])
    assert tuple(by_epoch.layout.xaxis.range) == (0, 3.5)  # from 0: batches come before epoch 1 ends


def test_a_linear_axis_holds_every_value_too() -> None:
    fig = loss_figure([epoch(1)], batches=([1, 2], [0.9, 0.45]), log_y=False)
    low, high = fig.layout.yaxis.range
    assert low < 0.45 and high > 1.0


def test_each_part_keeps_its_colour() -> None:
    watched = MappingProxyType({"test_loss": 0.7})
    epochs = [EpochProgress(1, 5, 10, 50, 1.0, 0.5, watched, 1.0, 0.0, 1, 0.5)]
    fig = loss_figure(epochs, [EvalPoint(1, 5, 0.9, 0.4, watched)], watched={"test_loss": "test loss"})
    colors = {t.name: t.line.color for t in fig.data}
    assert colors["train loss"] == colors["train loss (every N steps)"] == PART_COLORS["train"]
    assert colors["validation loss"] == PART_COLORS["val"] and colors["test loss"] == PART_COLORS["test"]


def test_a_zero_loss_keeps_a_linear_axis() -> None:
    fig = loss_figure([epoch(1)], batches=([1, 2], [2.0, 0.0]))  # a log axis would hide the zero
    assert fig.layout.yaxis.type != "log" and fig.layout.yaxis.range[0] < 0.0
