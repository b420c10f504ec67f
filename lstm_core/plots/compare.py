"""Figures of the Compare page: several models side by side, and a look inside one LSTM.

Every builder takes plain data (per-model sequences keyed by a run label such as "LSTM" or
"LSTM (forget bias 3)") and returns a new figure. Each model keeps one colour on every chart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

# One colour per cell kind, so that "LSTM" is the same colour on the curves, the sweep and the gradients.
MODEL_COLORS = {"RNN": "#7f7f7f", "LSTM": "#1f77b4", "GRU": "#2ca02c", "BiLSTM": "#9467bd",
                "HandRNN": "#8c564b"}
_EXTRA_COLORS = ("#d62728", "#ff7f0e", "#e377c2", "#17becf", "#bcbd22")
CHANCE_NAME = "chance"
BASELINE_NAME = "predict the mean"
GATE_TITLES = {"input_gate": "input gate i", "forget_gate": "forget gate f", "output_gate": "output gate o",
               "candidate": "candidate C~", "cell": "cell state C", "hidden": "hidden state h"}


def _kind(label: str) -> str:
    """The cell kind a run label starts with: "LSTM" for "LSTM-default" or "LSTM (forget bias 1)"."""
    words = label.replace("-", " ").split()
    return words[0] if words else ""


def model_color(label: str, index: int = 0) -> str:
    """The colour of a run label: by its cell kind, else a spare colour by position."""
    return MODEL_COLORS.get(_kind(label), _EXTRA_COLORS[index % len(_EXTRA_COLORS)])


def _line(label: str, index: int) -> dict[str, str]:
    """A run's line: its kind's colour, dashed for a variant ("LSTM-default" beside "LSTM")."""
    variant = label not in MODEL_COLORS and _kind(label) in MODEL_COLORS
    return {"color": model_color(label, index), "dash": "dash" if variant else "solid"}


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 320) -> go.Figure:
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, height=height,
                      legend={"orientation": "h", "y": -0.25}, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def log_ticks(values: Sequence[float]) -> list[float] | None:
    """Tick values for a log axis over ``values``: 1, 2 and 5 times powers of ten (only the powers over
    more than three decades), each labelled as a plain number. Plotly's own choice over one to two decades
    labels every digit (8 7 6 5 4 3 2 0.1 9 8 ...) in a crowded column of tiny figures. None when fewer
    than three such ticks fall in the range (plotly's choice, a few plain numbers, is fine there).
    """
    v = np.asarray([x for x in values if x is not None and math.isfinite(x) and x > 0], dtype=float)
    if not v.size:
        return None
    low, high = float(v.min()), float(v.max())
    decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    steps = (1,) if math.log10(high / low) > 3 else (1, 2, 5)
    ticks = [m * 10.0**k for k in decades for m in steps if low <= m * 10.0**k <= high]
    return ticks if len(ticks) >= 3 else None


def _level(fig: go.Figure, value: float | None, name: str, x: Sequence[float]) -> None:
    """A dashed horizontal line (chance or baseline) across ``x``, as a named trace the legend lists."""
    if value is None or not math.isfinite(value) or not len(x):
        return
    fig.add_scatter(x=[min(x), max(x)], y=[value, value], name=name, mode="lines",
                    line={"dash": "dash", "color": "black", "width": 1})


def curves_figure(
    curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    title: str,
    y_title: str,
    *,
    x_title: str = "epoch",
    level: float | None = None,
    level_name: str = CHANCE_NAME,
    log_y: bool = False,
) -> go.Figure:
    """One line per model, e.g. training loss or validation accuracy against epochs.

    Args:
        curves: run label -> (x values, y values); trace names are the labels.
        level: a chance or baseline value drawn as a dashed line named ``level_name``.
        log_y: a logarithmic y axis (losses spanning decades).
    """
    fig = go.Figure()
    xs: list[float] = []
    for index, (label, (x, y)) in enumerate(curves.items()):
        fig.add_scatter(x=list(x), y=list(y), name=label, mode="lines+markers",
                        line=_line(label, index))
        xs.extend(x)
    _level(fig, level, level_name, xs)
    if log_y:
        fig.update_yaxes(type="log")
        ticks = log_ticks([v for _, y in curves.values() for v in y] + ([level] if level else []))
        if ticks:
            fig.update_yaxes(tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])
    return _layout(fig, title, x_title, y_title)


def sweep_figure(
    points: Mapping[str, Sequence[tuple[int, float]]],
    metric: str,
    *,
    chance: float | None = None,
    chance_name: str = CHANCE_NAME,
    lengths: Sequence[int] = (),
) -> go.Figure:
    """The headline picture: test metric against the memory distance T, one line per model.

    Args:
        points: run label -> finished (T, metric) points, in any order (a sweep fills them in).
        metric: "accuracy" (shown in %) or "mse".
        chance: the chance accuracy or the baseline MSE, drawn dashed across the lengths.
        lengths: every T of the sweep, so the x axis is fixed before all points have finished.
    """
    percent = metric == "accuracy"
    fig = go.Figure()
    for index, (label, pts) in enumerate(points.items()):
        pts = sorted(pts)
        fig.add_scatter(x=[t for t, _ in pts], y=[v * 100 if percent else v for _, v in pts], name=label,
                        mode="lines+markers", line=_line(label, index))
    all_t = list(lengths) or [t for pts in points.values() for t, _ in pts]
    _level(fig, None if chance is None else chance * (100 if percent else 1), chance_name, all_t)
    _layout(fig, "Success against memory distance", "sequence length T (steps to remember across)",
            "test accuracy (%)" if percent else "test MSE")
    fig.update_xaxes(type="log")  # lengths like 10, 20, 50, 100, 200 spread evenly
    if all_t:
        fig.update_xaxes(range=[math.log10(min(all_t)) - 0.05, math.log10(max(all_t)) + 0.05])
    if percent:
        fig.update_yaxes(range=[0, 102])
    return fig


def gradient_figure(norms: Mapping[str, np.ndarray | Sequence[float]]) -> go.Figure:
    """Norm of d loss / d x_t for every input step t, one line per model, on a log axis.

    Zero norms (an input that cannot reach the loss) are left out: a log axis has no zero.
    """
    fig = go.Figure()
    for index, (label, values) in enumerate(norms.items()):
        v = np.asarray(values, dtype=float)
        fig.add_scatter(x=list(range(1, len(v) + 1)), y=[x if x > 0 else None for x in v], name=label,
                        mode="lines", line=_line(label, index))
    _layout(fig, "Gradient reaching each input step", "input step t", "|d loss / d x_t|")
    fig.update_yaxes(type="log", exponentformat="power")
    return fig


def gate_heatmaps_figure(
    matrices: Mapping[str, np.ndarray],
    fields: Sequence[str] = tuple(GATE_TITLES),
    *,
    markers: Sequence[int] = (),
) -> go.Figure:
    """Heatmaps over time (x) x units (y), one panel per field of an LSTM trace.

    Args:
        matrices: field -> (seq_len, hidden) array (``LSTMInspection.matrices``).
        fields: which fields, in panel order.
        markers: steps to mark with a vertical line (where the task's marked symbols are).

    Raises:
        ValueError: for a field not in ``matrices``.
    """
    missing = [f for f in fields if f not in matrices]
    if missing:
        raise ValueError(f"no data for {', '.join(missing)}; available: {', '.join(matrices)}")
    fig = make_subplots(rows=len(fields), cols=1, shared_xaxes=True, vertical_spacing=0.04,
                        subplot_titles=[GATE_TITLES.get(f, f) for f in fields])
    for row, field in enumerate(fields, start=1):
        m = np.asarray(matrices[field], dtype=float)
        gate = field.endswith("_gate")
        limit = 1.0 if field in ("candidate", "hidden") else float(np.abs(m).max() or 1.0)
        scale = {"zmin": 0.0, "zmax": 1.0, "colorscale": "Viridis"} if gate else {
            "zmin": -limit, "zmax": limit, "colorscale": "RdBu", "zmid": 0.0}
        fig.add_trace(go.Heatmap(z=m.T, name=GATE_TITLES.get(field, field), showscale=False,
                                 x=list(range(1, m.shape[0] + 1)), **scale), row=row, col=1)
        fig.update_yaxes(title_text="unit", row=row, col=1)
        for t in markers:
            fig.add_vline(x=t + 1, line={"color": "red", "width": 1, "dash": "dot"}, row=row, col=1)
    fig.update_xaxes(title_text="step t", row=len(fields), col=1)
    fig.update_layout(height=170 * len(fields) + 60, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      title="Inside the LSTM: gates and states over time")
    return fig


def unit_trace_figure(
    matrices: Mapping[str, np.ndarray], unit: int, *, signal: Sequence[float] | None = None,
    fields: Sequence[str] = ("cell", "hidden", "forget_gate", "input_gate"),
) -> go.Figure:
    """One unit's values over the input: its cell and hidden state and its gates, with the task signal.

    Raises:
        ValueError: for a unit out of range.
    """
    units = np.asarray(next(iter(matrices.values()))).shape[1]
    if not 0 <= unit < units:
        raise ValueError(f"unit must be in [0, {units - 1}]; got {unit}")
    fig = go.Figure()
    for field in fields:
        m = np.asarray(matrices[field], dtype=float)
        fig.add_scatter(x=list(range(1, m.shape[0] + 1)), y=m[:, unit].tolist(), name=GATE_TITLES[field],
                        mode="lines", line={"dash": "dot"} if field.endswith("_gate") else None)
    if signal is not None:
        s = list(signal)
        fig.add_bar(x=list(range(1, len(s) + 1)), y=s, name="task marker", opacity=0.3,
                    marker={"color": "red"})
    return _layout(fig, f"Unit {unit} over the input", "step t", "value")
