"""Figures of a classifier with named classes: rows by share, counts as text, beliefs per letter."""

from __future__ import annotations

import numpy as np

from lstm_core.plots.sequences import letter_belief_figure, named_confusion_figure


def test_confusion_rows_are_shares_of_the_true_class_with_counts_as_text() -> None:
    cm = np.array([[8, 2], [0, 0]])
    heat = named_confusion_figure(cm, ("Irish", "Polish"), "GRU").data[0]
    np.testing.assert_allclose(heat.z, [[80.0, 20.0], [0.0, 0.0]])  # an empty row stays 0, not NaN
    assert heat.text.tolist() == cm.tolist() and list(heat.x) == ["Irish", "Polish"]


def test_belief_has_a_column_per_letter_read() -> None:
    probs = np.array([[0.5, 0.5], [0.9, 0.1], [1.0, 0.0]])
    fig = letter_belief_figure("Kim", probs, ("Korean", "Irish"), "LSTM")
    heat = fig.data[0]
    assert list(heat.x) == ["1·K", "2·i", "3·m"] and list(heat.y) == ["Korean", "Irish"]
    np.testing.assert_allclose(heat.z, probs.T * 100)
    assert "LSTM reading 'Kim'" in fig.layout.title.text
