"""Seed 004's hand-written recurrent cell, one step at a time in plain Python.

``HandwrittenRNN``'s ``i2h`` and ``i2o`` read the concatenation of the input and the previous
hidden state; ``lstm_core.models.HandRNNModel`` trains it on whole batches of sequences
(``ModelConfig(cell="HandRNN")`` builds that). The gate-by-gate LSTM is ``lstm_core.manual_lstm``.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

Nonlinearity = Literal["tanh"] | None


class HandwrittenRNN(nn.Module):
    """Seed 004's recurrent cell, one step at a time.

    ``output = i2o([x_t, h_{t-1}])`` and ``h_t = i2h([x_t, h_{t-1}])``. The seed applies no
    nonlinearity to the new hidden state, so ``nonlinearity=None`` (the default) keeps it
    faithful; ``"tanh"`` squashes it as ``nn.RNN`` does, which keeps the state bounded on
    long sequences (a linear recurrence can grow without limit).
    """

    def __init__(
        self, input_size: int, hidden_size: int, output_size: int, nonlinearity: Nonlinearity = None
    ) -> None:
        super().__init__()
        if nonlinearity not in ("tanh", None):
            raise ValueError(f'nonlinearity must be "tanh" or None; got {nonlinearity!r}')
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.output_size = output_size
        self.nonlinearity = nonlinearity
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(input_size + hidden_size, output_size)
        self.log_softmax = nn.LogSoftmax(dim=1)

    def init_hidden(self, batch_size: int = 1) -> torch.Tensor:
        """Zeros of shape (batch_size, hidden_size), on the model's device and dtype."""
        weight = self.i2h.weight
        return torch.zeros(batch_size, self.hidden_size, device=weight.device, dtype=weight.dtype)

    def step(self, x_t: torch.Tensor, hidden: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One step returning raw logits (before LogSoftmax) and the new hidden state.

        Args:
            x_t: (batch, input_size), one time step.
            hidden: (batch, hidden_size), the previous hidden state.

        Returns:
            ``(logits, new_hidden)``: (batch, output_size) and (batch, hidden_size).
        """
        combined = torch.cat((x_t, hidden), dim=1)
        new_hidden = self.i2h(combined)
        if self.nonlinearity == "tanh":
            new_hidden = torch.tanh(new_hidden)
        return self.i2o(combined), new_hidden

    def forward(self, x_t: torch.Tensor, hidden: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # x_t: (batch, input_size), hidden: (batch, hidden_size) -> log-probs (batch, output_size)
        logits, new_hidden = self.step(x_t, hidden)
        return self.log_softmax(logits), new_hidden
