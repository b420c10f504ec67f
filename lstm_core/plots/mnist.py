"""Figures for the MNIST classifier: accuracy curves, confusion matrix, digit grid, beliefs.

Digits are drawn dark on white (``_INK``) with row 1 at the top, as they are written; the
belief heat map shares that row axis so that each row of beliefs sits beside the image row
the model has just read.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lstm_core.plots.forecast import PART_COLORS
from lstm_core.progress import EpochProgress, EvalPoint

_INK = [[0.0, "#ffffff"], [1.0, "#111827"]]  # pixel 0 (background) white, 1 (ink) near black
_BLUES = "Blues"
_MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}
# A horizontal legend between the title and the plot: below the plot it covered the x-axis title.
_LEGEND_ABOVE = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}
_LEGEND_ROW = 20  # pixels per legend row
_TRUE = "#111827"  # the true class: near black, thick, drawn last (on top)
_ANSWER = "#dc2626"  # the model's final answer when it is wrong
_OTHERS = "#9ca3af"  # every other class: thin grey
CLASSES = [str(c) for c in range(10)]
# Epoch metric -> trace name, as train_classifier records them (validation picks; test only watches)
ACCURACY_CURVES = {"train_accuracy": "train accuracy", "val_accuracy": "validation accuracy",
                   "test_accuracy": "test accuracy"}


def legend_above(fig: go.Figure, columns: int = 2) -> go.Figure:
    """Move a figure's legend above its plot, under the title, in ``columns`` (in place; returns ``fig``).

    A horizontal legend under the plot (the loss chart) sat on the x-axis title; above it, it
    covers nothing. Its rows get their own room (the figure grows by them), so a chart half a
    page wide with seven curves (seed 000's) keeps its plot as tall as one with three.
    """
    shown = sum(1 for t in fig.data if t.showlegend is not False)
    rows = max(1, -(-shown // columns))
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    base = (fig.layout.height or 320) - _LEGEND_ROW * meta.get("legend_rows", 0)  # applied twice: same
    legend = _LEGEND_ABOVE | {"entrywidth": 1 / columns, "entrywidthmode": "fraction", "font": {"size": 11}}
    fig.update_layout(
        legend=legend, meta=meta | {"legend_rows": rows}, height=base + _LEGEND_ROW * rows,
        margin={"l": 10, "r": 10, "t": 46 + _LEGEND_ROW * rows, "b": 10},
        title={"y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 10}})
    return fig


def accuracy_figure(
    epochs: Sequence[EpochProgress],
    evals: Sequence[EvalPoint] = (),
    total_steps: int | None = None,
    title: str = "Accuracy",
) -> go.Figure:
    """Train, validation and test accuracy (%) against optimiser steps ("iterations", as seed 000 counts).

    Traces: "train accuracy", "validation accuracy" and "test accuracy" at the end of each
    epoch (those the metrics hold), and with ``evals`` "test accuracy (every N iterations)".
    The x range is fixed to ``total_steps`` when given.
    """
    fig = go.Figure()
    steps = [e.step for e in epochs]
    for key, name in ACCURACY_CURVES.items():
        if any(key in e.metrics for e in epochs):
            fig.add_scatter(x=steps, y=[100 * e.metrics.get(key, np.nan) for e in epochs], name=name,
                            mode="lines+markers", customdata=[e.epoch for e in epochs],
                            line={"color": PART_COLORS[key.split("_")[0]]},
                            hovertemplate="epoch %{customdata}, iteration %{x}: %{y:.2f} %")
    if any("test_accuracy" in p.metrics for p in evals):
        every = evals[0].step
        acc = [100 * p.metrics.get("test_accuracy", np.nan) for p in evals]
        fig.add_scatter(x=[p.step for p in evals], y=acc,
                        name=f"test accuracy (every {every} iterations)", mode="markers+lines",
                        line={"dash": "dot", "color": PART_COLORS["test"]},
                        marker={"symbol": "diamond", "size": 9},
                        hovertemplate="iteration %{x}: %{y:.2f} %")
    fig.update_layout(title=title, xaxis_title="iteration (optimiser step)", yaxis_title="accuracy (%)",
                      height=300)
    if total_steps:
        fig.update_xaxes(range=[0, total_steps * 1.02])
    return legend_above(fig)


def confusion_figure(confusion: np.ndarray, title: str = "Confusion matrix (test digits)") -> go.Figure:
    """Heat map of ``confusion[true, predicted]``: colour is the share of each true class, text the count."""
    cm = np.asarray(confusion, dtype=np.int64)
    totals = cm.sum(axis=1, keepdims=True)
    share = np.divide(cm, totals, out=np.zeros(cm.shape), where=totals > 0) * 100
    fig = go.Figure(go.Heatmap(
        z=share, x=CLASSES, y=CLASSES, text=cm, texttemplate="%{text}", colorscale=_BLUES,
        zmin=0, zmax=100, colorbar={"title": {"text": "% of true class"}}, name="confusion",
        hovertemplate="true %{y}, predicted %{x}: %{text} digits (%{z:.1f} % of the %{y}s)<extra></extra>",
    ))
    fig.update_layout(title=title, xaxis_title="predicted class", yaxis_title="true class", height=460,
                      margin=_MARGIN)
    fig.update_xaxes(type="category", side="bottom")
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def per_class_figure(per_class: np.ndarray, title: str = "Accuracy per digit (test)",
                     overall: float | None = None) -> go.Figure:
    """Bar per class: the share of that digit's test images classified right (%).

    The bars start at 0, so their lengths compare honestly (a bar of 90 % is not drawn at half the
    height of one of 100 %); the value is written on each bar, and ``overall`` (0..1), when given,
    is a dashed line across them (its value in the title): the bars below it are the weak digits.
    """
    values = 100 * np.asarray(per_class, dtype=float)
    # whole percents: about 100 test digits per class make one digit about 1 %; upright, even "100"
    labels = ["" if np.isnan(v) else f"{v:.0f}" for v in values]
    fig = go.Figure(go.Bar(x=CLASSES, y=values, name="accuracy per class", text=labels, textangle=0,
                           textposition="inside", insidetextanchor="end", marker_color="#2563eb",
                           textfont={"color": "white"},
                           hovertemplate="digit %{x}: %{y:.1f} %<extra></extra>"))
    if overall is not None:  # said in the title: a label on the line would sit on the bars
        fig.add_hline(y=100 * overall, line={"dash": "dash", "color": _TRUE, "width": 1})
        title = f"{title}; dashed: all digits, {100 * overall:.1f} %"
    fig.update_layout(title=title, xaxis_title="true class", yaxis_title="accuracy (%)", height=320,
                      margin=_MARGIN)
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 100.5])
    return fig


def _digit_heatmap(image: np.ndarray, **kw: object) -> go.Heatmap:
    return go.Heatmap(z=np.asarray(image), colorscale=_INK, zmin=0, zmax=1, showscale=False,
                      hovertemplate="row %{y}, pixel %{x}: %{z:.2f}<extra></extra>", **kw)


def digit_grid_figure(
    images: np.ndarray,
    titles: Sequence[str],
    wrong: Sequence[bool] | None = None,
    cols: int = 6,
    title: str = "",
) -> go.Figure:
    """A grid of 28x28 digits, each under its caption (e.g. "true 4 → 9 · 87 %").

    Args:
        images: (n, 28, 28) pixels in [0, 1].
        titles: one caption per digit.
        wrong: per digit, True draws its caption in red (a mistake), False in green.
        cols: digits per row.
    """
    images = np.asarray(images)
    n = len(images)
    if n != len(titles):
        raise ValueError(f"{n} images but {len(titles)} titles")
    if n == 0:
        fig = go.Figure()
        fig.add_annotation(text="No digits to show", showarrow=False, font={"size": 16})
        fig.update_layout(title=title, height=120, xaxis_visible=False, yaxis_visible=False)
        return fig
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=list(titles),
                        horizontal_spacing=0.02, vertical_spacing=0.2 / rows)
    for i, image in enumerate(images):
        fig.add_trace(_digit_heatmap(image, name=titles[i]), row=i // cols + 1, col=i % cols + 1)
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", constrain="domain")
    for i in range(n):
        axis = "" if i == 0 else str(i + 1)
        fig.update_yaxes(scaleanchor=f"x{axis}", row=i // cols + 1, col=i % cols + 1)
    for i, note in enumerate(fig.layout.annotations):
        colour = "#111827" if wrong is None else ("#dc2626" if wrong[i] else "#15803d")
        note.update(font={"size": 12, "color": colour})
    fig.update_layout(title=title or None, height=70 + rows * 180, margin={"l": 5, "r": 5, "t": 60 if title
                      else 30, "b": 5}, plot_bgcolor="white", showlegend=False)
    return fig


def belief_figure(
    beliefs: np.ndarray,
    image: np.ndarray,
    label: int | None = None,
    title: str = "Reading a digit, row by row",
) -> go.Figure:
    """The digit beside a heat map of the model's belief over the classes after each row read.

    Both panels share the row axis (row 1 at the top), so the belief in row t is the one
    after reading the image down to row t. Traces: "digit", "belief".
    """
    beliefs = np.asarray(beliefs, dtype=float)
    if beliefs.shape != (28, 10):
        raise ValueError(f"beliefs must be (28, 10); got {beliefs.shape}")
    rows = list(range(1, 29))
    left = "digit" if label is None else f"digit (true class {label})"
    fig = make_subplots(rows=1, cols=2, column_widths=[0.45, 0.55], shared_yaxes=True,
                        horizontal_spacing=0.05, subplot_titles=(left, "belief after reading rows 1..t"))
    fig.add_trace(_digit_heatmap(image, x=list(range(1, 29)), y=rows, name="digit"), row=1, col=1)
    fig.add_trace(go.Heatmap(
        z=beliefs * 100, x=CLASSES, y=rows, colorscale="Viridis", zmin=0, zmax=100, name="belief",
        colorbar={"title": {"text": "P(class) %"}},
        hovertemplate="after row %{y}: P(%{x}) = %{z:.1f} %<extra></extra>",
    ), row=1, col=2)
    fig.update_yaxes(autorange="reversed", title_text="row read (t)", row=1, col=1)
    fig.update_yaxes(autorange="reversed", row=1, col=2)
    fig.update_xaxes(title_text="pixel", row=1, col=1)
    fig.update_xaxes(title_text="class", type="category", row=1, col=2)
    if label is not None:  # a frame around the true class's column
        fig.add_shape(type="rect", x0=label - 0.5, x1=label + 0.5, y0=0.5, y1=28.5, row=1, col=2,
                      line={"color": "#f97316", "width": 3}, name="true class")
        ticks = [f"{c} (true)" if int(c) == label else c for c in CLASSES]
        fig.update_xaxes(ticktext=ticks, tickvals=CLASSES, row=1, col=2)
    fig.update_layout(title=title, height=480, margin={"l": 10, "r": 10, "t": 70, "b": 10})
    return fig


def belief_lines_figure(beliefs: np.ndarray, label: int | None = None,
                        title: str = "Belief per class as rows are read") -> go.Figure:
    """One line per class: P(class) (%) after reading t rows.

    The true class is a thick near-black line drawn on top; the model's final answer, when it is
    another class, a red one; every other class a thin grey line (named in its hover). The grey
    traces come first (in class order), then the true class and the answer, so those lie on top.
    """
    beliefs = np.asarray(beliefs, dtype=float)
    fig = go.Figure()
    rows = list(range(1, len(beliefs) + 1))
    answer = int(beliefs[-1].argmax())
    for c in range(beliefs.shape[1]):
        true, wrong_answer = c == label, c == answer and label is not None and c != label
        name = f"class {c}" + (" (true)" if true else " (answer)" if wrong_answer else "")
        colour = _TRUE if true else _ANSWER if wrong_answer else _OTHERS
        fig.add_scatter(x=rows, y=beliefs[:, c] * 100, name=name, mode="lines",
                        line={"width": 4 if true else 3 if wrong_answer else 1.2, "color": colour},
                        showlegend=true or wrong_answer or label is None,
                        hovertemplate=f"class {c}" + " after row %{x}: %{y:.1f} %<extra></extra>")
        if true or wrong_answer:  # the end of the line says which class it is
            fig.add_annotation(x=rows[-1], y=beliefs[-1, c] * 100, text=f" {c}", showarrow=False,
                               xanchor="left", font={"color": colour, "size": 14})
    # the marked lines on top: Plotly draws traces in order
    fig.data = sorted(fig.data, key=lambda t: t.line.color != _OTHERS)
    fig.update_layout(title=title, xaxis_title="rows read (t)", yaxis_title="P(class) (%)", height=340)
    legend_above(fig, columns=4)
    fig.update_layout(margin={"r": 30})  # room for the class names at the lines' ends
    fig.update_yaxes(range=[0, 101])
    fig.update_xaxes(range=[1, len(rows)])
    return fig
