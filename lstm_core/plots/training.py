"""Figures about training itself: loss (and accuracy) curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

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
) -> go.Figure:
    """Training and validation loss per epoch (and per evaluation step, if any).

    Traces: "train loss", "validation loss" (when there is validation data), one per entry of
    ``watched`` (metric key -> trace name, e.g. ``{"test_loss": "test loss"}`` for data that
    ``fit`` monitors), and with ``evals`` "train loss (every N steps)" and "<name> (every N
    steps)" for the others, placed at fractional epochs (``steps_per_epoch``, e.g.
    ``TrainStart.steps_per_epoch``, places them before the first epoch ends too).
    The x range is fixed to ``total_epochs`` so the curve grows into a stable frame.
    ``log_y`` None (the default) uses a log axis once the losses span more than ``LOG_SPAN``x,
    where a linear one would flatten the later epochs; over a narrower span a log axis would
    show a single tick label.
    """
    fig = go.Figure()
    x = [e.epoch for e in epochs]
    fig.add_scatter(x=x, y=[e.train_loss for e in epochs], name="train loss", mode="lines+markers")
    if any(e.val_loss is not None for e in epochs):
        fig.add_scatter(x=x, y=[e.val_loss for e in epochs], name="validation loss", mode="lines+markers")
    for key, name in (watched or {}).items():
        if any(key in e.metrics for e in epochs):
            fig.add_scatter(x=x, y=[e.metrics.get(key) for e in epochs], name=name, mode="lines+markers")
    if evals:
        # Seed 000 style: points every eval_every optimiser steps, placed at fractional epochs.
        per_epoch = steps_per_epoch or (epochs[0].step / epochs[0].epoch if epochs else None)
        ex = [p.step / per_epoch if per_epoch else p.step for p in evals]
        fig.add_scatter(x=ex, y=[p.train_loss for p in evals], name="train loss (every N steps)",
                        mode="lines", line={"dash": "dot"})
        curves = {"validation loss": [p.val_loss for p in evals]}
        curves.update({name: [p.metrics.get(key) for p in evals] for key, name in (watched or {}).items()})
        for name, y in curves.items():
            if any(v is not None for v in y):
                fig.add_scatter(x=ex, y=y, name=f"{name} (every N steps)", mode="lines", line={"dash": "dot"})
    fig.update_layout(title=title, xaxis_title="epoch", yaxis_title="loss", height=320,
                      margin={"l": 10, "r": 10, "t": 40, "b": 10}, legend={"orientation": "h", "y": -0.25})
    if log_y is None:
        values = [v for trace in fig.data for v in (trace.y or ()) if v is not None and v > 0]
        log_y = bool(values) and max(values) > LOG_SPAN * min(values)
    if log_y:
        # Ticks at 1, 2 and 5 per decade, each labelled in full: Plotly's default labels
        # ("2", "5") hide the decade, and labelling every minor tick crowds short ranges.
        fig.update_yaxes(type="log", dtick="D2", tickformat=".2g")
    if total_epochs:
        fig.update_xaxes(range=[0.5, total_epochs + 0.5])
    return fig
