"""Recurrent regressor and classifier over torch's RNN, LSTM and GRU.

Both are one recurrent core followed by a linear head::

    x (batch, seq_len, input_size)
      -> rnn   -> out (batch, seq_len, D * hidden_size)     D = 2 if bidirectional
      -> head "last": out[:, -1]          -> Linear(D * hidden, output_size)
         head "all":  out.flatten(1)      -> Linear(seq_len * D * hidden, output_size)

Seed 000 is ``ModelConfig(cell="LSTM", input_size=28, hidden_size=100, num_layers=1,
output_size=10)``: its six tensors are ``rnn.weight_ih_l0`` [400, 28], ``rnn.weight_hh_l0``
[400, 100], two biases [400], ``head.weight`` [10, 100] and ``head.bias`` [10].
Seed 002 is a 2-layer bidirectional LSTM of 12 units with the "all" head:
``Linear(28 * 12 * 2, 10)``.
"""

from __future__ import annotations

import pandas as pd
import torch
from torch import nn

from lstm_core.config import CELL_TYPES, ModelConfig

_RECURRENT_LAYERS: dict[str, type[nn.RNNBase]] = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}


class RecurrentModel(nn.Module):
    """A recurrent core and a linear head, as described by a ``ModelConfig``."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        if cfg.cell not in _RECURRENT_LAYERS:
            raise ValueError(f"unknown cell {cfg.cell!r}; valid: {', '.join(CELL_TYPES)}")
        self.cfg = cfg
        self.rnn = _RECURRENT_LAYERS[cfg.cell](
            input_size=cfg.input_size,
            hidden_size=cfg.hidden_size,
            num_layers=cfg.num_layers,
            dropout=cfg.dropout,
            bidirectional=cfg.bidirectional,
            batch_first=True,
        )
        features = cfg.num_directions * cfg.hidden_size
        if cfg.head == "all":
            assert cfg.seq_len is not None  # ModelConfig guarantees it
            features *= cfg.seq_len
        self.head = nn.Linear(features, cfg.output_size)

    def sequence_output(self, x: torch.Tensor) -> torch.Tensor:
        """The recurrent core's output at every step: (batch, seq_len, D * hidden_size)."""
        # x: (batch, seq_len, input_size); h0 and c0 default to zeros
        out, _ = self.rnn(x)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (batch, seq_len, input_size) -> (batch, output_size)
        out = self.sequence_output(x)
        if self.cfg.head == "all":
            if out.shape[1] != self.cfg.seq_len:
                raise ValueError(
                    f'the "all" head was built for seq_len {self.cfg.seq_len}, got {out.shape[1]} steps'
                )
            return self.head(out.flatten(1))
        return self.head(out[:, -1])


class RecurrentRegressor(RecurrentModel):
    """Predicts ``output_size`` real values (scaled units) from a window of the past."""


class RecurrentClassifier(RecurrentModel):
    """Predicts ``output_size`` class logits (use softmax for probabilities)."""


def build_model(cfg: ModelConfig, task: str = "regression") -> RecurrentModel:
    """Build the model a config describes.

    Args:
        cfg: the model's shape.
        task: "regression" or "classification".

    Raises:
        ValueError: for an unknown task (the cell type is checked by ``ModelConfig``).
    """
    if task == "regression":
        return RecurrentRegressor(cfg)
    if task == "classification":
        return RecurrentClassifier(cfg)
    raise ValueError(f"unknown task {task!r}; valid: regression, classification")


def parameter_table(model: nn.Module) -> pd.DataFrame:
    """One row per parameter tensor (name, shape, count) and a final "total" row.

    For seed 000's model the counts show the four stacked gates: weight_ih_l0 is
    [400, 28] because 400 = 4 gates x 100 hidden units.
    """
    rows = [
        {"name": name, "shape": str(list(p.shape)), "count": p.numel()}
        for name, p in model.named_parameters()
    ]
    rows.append({"name": "total", "shape": "", "count": sum(r["count"] for r in rows)})
    return pd.DataFrame(rows, columns=["name", "shape", "count"])
