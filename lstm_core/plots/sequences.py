"""Figures for any sequence classifier with named classes (the surnames of seed 004).

``named_confusion_figure`` colours each true class's row by its share so that rare classes stay
visible beside common ones; ``letter_belief_figure`` shows the belief over the classes after
each step of one input (a surname read letter by letter).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go


def named_confusion_figure(confusion: np.ndarray, classes: tuple[str, ...], title: str) -> go.Figure:
    """Rows: true language, columns: predicted; colour is the share of the true language, text the count."""
    cm = np.asarray(confusion, dtype=np.int64)
    totals = cm.sum(axis=1, keepdims=True)
    share = np.divide(cm, totals, out=np.zeros(cm.shape), where=totals > 0) * 100
    fig = go.Figure(go.Heatmap(z=share, x=list(classes), y=list(classes), text=cm, texttemplate="%{text}",
                               colorscale="Blues", zmin=0, zmax=100, name="confusion",
                               colorbar={"title": {"text": "% of true"}},
                               hovertemplate="true %{y}, predicted %{x}: %{text} names<extra></extra>"))
    fig.update_layout(title=title, xaxis_title="predicted language", yaxis_title="true language", height=560,
                      margin={"l": 10, "r": 10, "t": 40, "b": 10})
    fig.update_yaxes(autorange="reversed")
    return fig


def letter_belief_figure(name: str, probs: np.ndarray, classes: tuple[str, ...], model: str) -> go.Figure:
    """Languages (rows) x letters read so far (columns): the model's belief after each character."""
    fig = go.Figure(go.Heatmap(z=(probs.T * 100), x=[f"{i + 1}·{ch}" for i, ch in enumerate(name)],
                               y=list(classes), colorscale="Blues", zmin=0, zmax=100, name="belief",
                               colorbar={"title": {"text": "P (%)"}},
                               hovertemplate="after %{x}: %{y} %{z:.1f} %<extra></extra>"))
    fig.update_layout(title=f"{model} reading '{name}' letter by letter", xaxis_title="letters read",
                      height=460, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig
