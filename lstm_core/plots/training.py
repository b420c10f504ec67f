"""Figures about training itself: loss (and accuracy) curves."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

import plotly.graph_objects as go

from lstm_core.plots.forecast import PART_COLORS
from lstm_core.progress import EpochProgress, EvalPoint

# Losses spanning more than this factor get a log axis by default: its ticks at 1, 2 and 5 per
# decade then label at least two values.
LOG_SPAN = 2.5


def loss_figure(
    epochs: Sequence[EpochProgress],
    evals: Sequence[EvalPoint] = (),
    total_epochs: int | None = None,
    log_y: bool | None = None,
    title: str = "Loss",
    *,
    steps_per_epoch: int | None = None,
    watched: Mapping[str, str] | None = None,
    batches: tuple[Sequence[int], Sequence[float]] | None = None,
    x_axis: Literal["epoch", "iteration"] = "epoch",
    total_steps: int | None = None,
) -> go.Figure:
    """Training and validation loss per epoch (and per evaluation step and batch, if given).

    Traces: "batch loss" (``batches`` = (steps, losses), a thin grey line underneath), "train
    loss", "validation loss" (when there is validation data), one per entry of ``watched``
    (metric key -> trace name, e.g. ``{"test_loss": "test loss"}`` for data that ``fit``
    monitors), and with ``evals`` "train loss (every N steps)" and "<name> (every N steps)".
    ``x_axis`` "epoch" places steps at fractional epochs (``steps_per_epoch``, e.g.
    ``TrainStart.steps_per_epoch``, places them before the first epoch ends too) in a frame
    fixed to ``total_epochs``; "iteration" plots against optimiser steps up to ``total_steps``.
    ``log_y`` None (the default) uses a log axis once the losses span more than ``LOG_SPAN``x,
    where a linear one would flatten the later epochs; over a narrower span a log axis would
    show a single tick label. The y range always holds every trace.
    """
    per_epoch = steps_per_epoch or (epochs[0].step / epochs[0].epoch if epochs else None)

    def at(step: float) -> float:  # an optimiser step on the x axis
        return step if x_axis == "iteration" or not per_epoch else step / per_epoch

    fig = go.Figure()
    if batches and len(batches[0]):
        # A line needs two points: the first batch alone is drawn as a dot, so the chart shows it at once.
        fig.add_scatter(x=[at(k) for k in batches[0]], y=list(batches[1]), name="batch loss",
                        mode="lines" if len(batches[0]) > 1 else "markers",
                        line={"width": 1, "color": "rgba(120,120,120,0.45)"},
                        marker={"size": 6, "color": "rgba(120,120,120,0.8)"})
    x = [e.step if x_axis == "iteration" else e.epoch for e in epochs]
    # Each part keeps its colour on every chart of the app: train, validation, test.
    watched = {key: (name, _color(key)) for key, name in (watched or {}).items()}
    fig.add_scatter(x=x, y=[e.train_loss for e in epochs], name="train loss", mode="lines+markers",
                    line={"color": PART_COLORS["train"]})
    if any(e.val_loss is not None for e in epochs):
        fig.add_scatter(x=x, y=[e.val_loss for e in epochs], name="validation loss", mode="lines+markers",
                        line={"color": PART_COLORS["val"]})
    for key, (name, color) in watched.items():
        if any(key in e.metrics for e in epochs):
            fig.add_scatter(x=x, y=[e.metrics.get(key) for e in epochs], name=name, mode="lines+markers",
                            line={"color": color})
    if evals:  # seed 000 style: points every eval_every optimiser steps
        _add_eval_curves(fig, evals, [at(p.step) for p in evals], watched)
    fig.update_layout(title=title, yaxis_title="loss", height=320, legend={"orientation": "h", "y": -0.25},
                      xaxis_title="iteration (optimiser step)" if x_axis == "iteration" else "epoch",
                      margin={"l": 10, "r": 10, "t": 40, "b": 10})
    _y_axis(fig, log_y)
    _x_frame(fig, x_axis, total_epochs, total_steps, from_zero=bool(batches))
    return fig


def _add_eval_curves(
    fig: go.Figure, evals: Sequence[EvalPoint], x: list[float], watched: Mapping[str, tuple[str, str | None]]
) -> None:
    """Dotted "<name> (every N steps)" curves at each evaluation point, at positions ``x``."""
    curves = {"train loss": ([p.train_loss for p in evals], PART_COLORS["train"]),
              "validation loss": ([p.val_loss for p in evals], PART_COLORS["val"])}
    for key, (name, color) in watched.items():
        curves[name] = ([p.metrics.get(key) for p in evals], color)
    for name, (y, color) in curves.items():
        if any(v is not None for v in y):
            fig.add_scatter(x=x, y=y, name=f"{name} (every N steps)", mode="lines",
                            line={"dash": "dot", "color": color})


def _x_frame(
    fig: go.Figure, x_axis: str, total_epochs: int | None, total_steps: int | None, *, from_zero: bool
) -> None:
    """Fix the x range to the planned run; before the first point, label the empty frame."""
    if not any(len(trace.x or ()) for trace in fig.data):
        # Before the first point: a labelled empty frame, not Plotly's default axes from -1 to 4.
        fig.update_yaxes(range=[0, 1], showticklabels=False)
        fig.add_annotation(text="waiting for the first loss…", showarrow=False, x=0.5, y=0.5,
                           xref="paper", yref="paper", font={"color": "#888888"})
        if not (total_steps or total_epochs):
            fig.update_xaxes(range=[0, 1])
    if x_axis == "iteration" and total_steps:
        fig.update_xaxes(range=[0, total_steps * 1.02])
    elif x_axis == "epoch" and total_epochs:
        fig.update_xaxes(range=[0 if from_zero else 0.5, total_epochs + 0.5])


def _color(metric: str) -> str | None:
    """The part colour of a metric key such as "test_loss" or "val_accuracy" (None: Plotly's choice)."""
    return PART_COLORS.get(metric.split("_")[0])


def _y_axis(fig: go.Figure, log_y: bool | None) -> None:
    """Log or linear (see ``loss_figure``), with a range that holds every plotted value."""
    values = [v for trace in fig.data for v in (trace.y or ()) if v is not None and math.isfinite(v)]
    positive = [v for v in values if v > 0]
    if log_y is None:  # a zero or negative value has no place on a log axis: linear then
        log_y = len(positive) == len(values) > 0 and max(positive) > LOG_SPAN * min(positive)
    if log_y:
        # Ticks at 1, 2 and 5 per decade, each labelled in full: Plotly's default labels
        # ("2", "5") hide the decade, and labelling every minor tick crowds short ranges.
        fig.update_yaxes(type="log", dtick="D2", tickformat=".2g")
        if positive:
            low, high = math.log10(min(positive)), math.log10(max(positive))
            pad = max(0.05 * (high - low), 0.02)
            fig.update_yaxes(range=[low - pad, high + pad])  # log axis ranges are in decades
    elif values:
        low, high = min(values), max(values)
        pad = 0.05 * (high - low) or 0.05 * abs(high) or 0.05
        fig.update_yaxes(range=[low - pad, high + pad])
