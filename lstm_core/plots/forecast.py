"""Figures for the forecast page: the price preview, seed 003's fit chart, residuals, overlays.

Seed 003's picture is the actual series with the model's predictions stitched over it and a
dashed vertical line at the train boundary. ``fit_figure`` draws it with one trace per part
(train / validation / test prediction), a dashed "test boundary" as well when there is a
validation part, the recursive forecast drawn distinctly, and a date axis with a range slider.
Prices are in real units throughout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

PART_NAMES = {"train": "train prediction", "val": "validation prediction", "test": "test prediction"}
PART_COLORS = {"train": "#2ca02c", "val": "#ff7f0e", "test": "#d62728"}  # on every chart of the app
ACTUAL_COLOR = "#1f77b4"
# Over predictions the actual is a thin dark line drawn on top (zorder), so that a close fit
# does not hide it; the legend keeps the trace order, "actual" first.
ACTUAL_ON_TOP = {"color": "#222222", "width": 1}
NAIVE_COLOR = "#222222"
FORECAST_NAME = "forecast (recursive)"
# The model in the test part's red; each baseline its own colour, the same on every chart.
BASELINE_COLORS = {"model": PART_COLORS["test"], "naive": NAIVE_COLOR, "seasonal naive": "#9467bd",
                   "drift": "#8c564b", "linear AR": "#17becf"}
_MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def _layout(fig: go.Figure, title: str, y_title: str, height: int, slider: bool) -> go.Figure:
    fig.update_layout(title=title, xaxis_title="date", yaxis_title=y_title, height=height,
                      margin=_MARGIN, hovermode="x unified",
                      legend={"x": 1.01, "y": 1, "xanchor": "left"})
    if slider:
        fig.update_xaxes(rangeslider={"visible": True, "thickness": 0.08}, type="date")
    return fig


def price_figure(frame: pd.DataFrame, column: str = "Close", title: str = "Price", height: int = 320,
                 unit: str = "") -> go.Figure:
    """The chosen column over time, as a preview before training (trace ``column``)."""
    if column not in frame.columns:
        raise ValueError(f"column {column!r} not in the data; available: {list(frame.columns)}")
    fig = go.Figure()
    fig.add_scatter(x=frame.index, y=frame[column], name=column, mode="lines",
                    line={"color": ACTUAL_COLOR, "width": 1.5})
    return _layout(fig, title, f"{column} {unit}".strip(), height, slider=True)


def _boundary(fig: go.Figure, when: pd.Timestamp, name: str, low: float, high: float, color: str) -> None:
    # A trace rather than a shape, so that the boundary has a legend entry (as in seed 003).
    fig.add_scatter(x=[when, when], y=[low, high], name=name, mode="lines", hoverinfo="skip",
                    line={"color": color, "dash": "dash", "width": 1.5})


def fit_figure(
    series: pd.Series,
    dates: pd.DatetimeIndex,
    predicted: np.ndarray | None,
    parts: Mapping[str, slice],
    future: pd.Series | None = None,
    title: str = "Actual and predicted",
    height: int = 460,
    unit: str = "",
    *,
    bands: Sequence[tuple[str, pd.DatetimeIndex, np.ndarray, np.ndarray]] = (),
    lines: Sequence[tuple[str, pd.DatetimeIndex, np.ndarray]] = (),
    y_title: str = "value",
) -> go.Figure:
    """Seed 003's chart: the actual series, predictions per part, dashed boundaries.

    Args:
        series: the whole target column in real units (DatetimeIndex).
        dates: target date of each window, shape (windows,).
        predicted: predictions of every window in real units, or None before the first preview.
        parts: window slices of "train", "val" and "test".
        future: recursive forecast beyond the data (drawn dotted as "forecast (recursive)").
        title, height, unit, y_title: labels and size (the y axis reads "<y_title> <unit>").
        bands: (name, dates, lower, upper) intervals, drawn first as shaded areas (e.g. "95 % interval").
        lines: (name, dates, values) more forecasts, thin and dashed (e.g. a baseline's).

    Traces, in order: one per band, "actual" (a thin dark line drawn on top of the others),
    "train prediction", "validation prediction" (if any), "test prediction", one per ``lines``,
    "train boundary", "test boundary" (if a validation part exists), "forecast (recursive)"
    (if ``future``).
    """
    fig = go.Figure()
    for k, (name, x, lower, upper) in enumerate(bands):
        x = list(x)
        fig.add_scatter(x=x + x[::-1], y=[*np.asarray(upper, float), *np.asarray(lower, float)[::-1]],
                        name=name, fill="toself", mode="lines", line={"width": 0}, hoverinfo="skip",
                        fillcolor=f"rgba(214,39,40,{0.10 + 0.08 * k})")
    fig.add_scatter(x=series.index, y=series.to_numpy(), name="actual", mode="lines", zorder=1,
                    line=ACTUAL_ON_TOP)
    values = [series.to_numpy(dtype=float)]
    if predicted is not None:
        values.append(_add_predictions(fig, predicted, dates, parts))
    for name, x, y in lines:
        fig.add_scatter(x=x, y=np.asarray(y, dtype=float), name=name, mode="lines",
                        line={"color": NAIVE_COLOR, "width": 1.5, "dash": "dash"})
    if future is not None and len(future):
        values.append(future.to_numpy(dtype=float))
    finite = np.concatenate(values)
    finite = finite[np.isfinite(finite)]
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    val, test = parts.get("val"), parts["test"]
    has_val = val is not None and val.stop > val.start
    _boundary(fig, dates[val.start if has_val else test.start], "train boundary", low, high, "#555555")
    if has_val and test.stop > test.start:
        _boundary(fig, dates[test.start], "test boundary", low, high, "#999999")
    if future is not None and len(future):
        _add_future(fig, series, future)
    return _layout(fig, title, f"{y_title} {unit}".strip(), height, slider=True)


def _add_predictions(
    fig: go.Figure, predicted: np.ndarray, dates: pd.DatetimeIndex, parts: Mapping[str, slice]
) -> np.ndarray:
    """One trace per non-empty part; returns the finite predictions (for the y range)."""
    predicted = np.asarray(predicted, dtype=float).reshape(-1)
    if len(predicted) != len(dates):
        raise ValueError(f"{len(predicted)} predictions for {len(dates)} dates")
    for part in ("train", "val", "test"):
        s = parts.get(part)
        if s is None or s.stop <= s.start:
            continue
        fig.add_scatter(x=dates[s], y=predicted[s], name=PART_NAMES[part], mode="lines",
                        line={"color": PART_COLORS[part], "width": 2})
    return predicted[np.isfinite(predicted)]


def _add_future(fig: go.Figure, series: pd.Series, future: pd.Series) -> None:
    """The recursive forecast, dotted, over a shaded "beyond the data" span."""
    # Start the forecast at the last actual value so that the line joins the series.
    x = [series.index[-1], *future.index]
    y = [float(series.iloc[-1]), *future.to_numpy(dtype=float)]
    # Markers only for a short forecast: hundreds of them merge into what looks like a solid line.
    fig.add_scatter(x=x, y=y, name=FORECAST_NAME, mode="lines+markers" if len(future) <= 40 else "lines",
                    line={"color": "#9467bd", "dash": "dot", "width": 2}, marker={"size": 4})
    # The label ends at the last forecast, inside the plot ("top left" ran into the legend when the
    # span was narrow).
    fig.add_vrect(x0=x[0], x1=x[-1], fillcolor="#9467bd", opacity=0.08, line_width=0,
                  annotation_text="beyond the data", annotation_position="top right")


def horizon_figure(table: pd.DataFrame, x_title: str = "steps ahead", title: str = "Error against horizon",
                   height: int = 340) -> go.Figure:
    """Test RMSE h steps ahead (index h = 1..H) of the model and each baseline (one trace per column).

    The model is a thick line with markers; baselines are thinner, the naive forecast dotted.
    """
    fig = go.Figure()
    for name in table.columns:
        y = table[name].to_numpy(dtype=float)
        model = name == "model"
        fig.add_scatter(x=table.index, y=y, name=str(name), mode="lines+markers" if model else "lines",
                        line={"width": 3 if model else 1.5, "dash": "dot" if name == "naive" else "solid",
                              "color": BASELINE_COLORS.get(str(name), "#7f7f7f")})
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title="test RMSE", height=height,
                      margin=_MARGIN, hovermode="x unified", legend={"x": 1.01, "y": 1, "xanchor": "left"})
    return fig


def residuals_figure(
    dates: pd.DatetimeIndex,
    actual: np.ndarray,
    predicted: np.ndarray,
    last: np.ndarray,
    parts: Mapping[str, slice],
    show: Sequence[str] = ("val", "test"),
    height: int = 340,
    unit: str = "",
) -> go.Figure:
    """Errors over time (actual - predicted, real units) for the model and the naive baseline.

    Traces: "<part> residual" for each part in ``show`` ("validation residual", "test residual"),
    then "naive residual" over the same windows (a thin dotted dark line on top, so that where the
    model does what the naive forecast does both stay visible), and a zero line.
    """
    actual, predicted, last = (np.asarray(a, dtype=float).reshape(-1) for a in (actual, predicted, last))
    fig = go.Figure()
    shown: list[int] = []
    for part in show:
        s = parts.get(part)
        if s is None or s.stop <= s.start:
            continue
        label = {"train": "train", "val": "validation", "test": "test"}[part]
        fig.add_scatter(x=dates[s], y=actual[s] - predicted[s], name=f"{label} residual", mode="lines",
                        line={"color": PART_COLORS[part], "width": 2})
        shown.extend(range(s.start, s.stop))
    if shown:
        idx = np.array(shown)
        fig.add_scatter(x=dates[idx], y=actual[idx] - last[idx], name="naive residual", mode="lines",
                        line={"color": NAIVE_COLOR, "width": 1.5, "dash": "dot"}, zorder=1)
    fig.add_hline(y=0, line={"color": "black", "width": 1})
    return _layout(fig, "Residuals (actual - predicted)", f"error {unit}".strip(), height, slider=False)


def overlay_figure(
    series: pd.Series,
    runs: Sequence[tuple[str, pd.DatetimeIndex, np.ndarray]],
    title: str = "Test predictions",
    height: int = 420,
) -> go.Figure:
    """The actual series with several runs' predictions over it (trace per run label).

    Each later run is dashed and a little thinner, so that runs that nearly coincide stay visible.
    """
    fig = go.Figure()
    starts = [dates[0] for _, dates, _ in runs if len(dates)]
    shown = series[series.index >= min(starts)] if starts else series
    fig.add_scatter(x=shown.index, y=shown.to_numpy(), name="actual", mode="lines", zorder=1,
                    line=ACTUAL_ON_TOP)
    for k, (label, dates, predicted) in enumerate(runs):
        fig.add_scatter(x=dates, y=np.asarray(predicted, dtype=float), name=label, mode="lines",
                        line={"width": max(2.5 - k, 1.0), "dash": ("solid", "dash", "dot")[min(k, 2)]})
    return _layout(fig, title, str(series.name or "value"), height, slider=True)  # the column's own name
