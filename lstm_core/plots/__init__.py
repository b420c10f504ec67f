"""Pure Plotly figure builders: data in, a new ``go.Figure`` out (no Streamlit, no I/O).

Trace names and axis titles are stable strings so that tests can assert them.
"""

from lstm_core.plots.forecast import fit_figure, overlay_figure, price_figure, residuals_figure
from lstm_core.plots.mnist import (
    ACCURACY_CURVES,
    accuracy_figure,
    belief_figure,
    belief_lines_figure,
    confusion_figure,
    digit_grid_figure,
    per_class_figure,
)
from lstm_core.plots.training import loss_figure

__all__ = [
    "ACCURACY_CURVES", "accuracy_figure", "belief_figure", "belief_lines_figure",
    "confusion_figure", "digit_grid_figure", "fit_figure", "loss_figure", "overlay_figure",
    "per_class_figure", "price_figure", "residuals_figure",
]
