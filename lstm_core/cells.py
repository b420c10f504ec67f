"""Hand-written recurrent cells for teaching and for the "look inside" views.

Two models, both stepping through time in plain Python (correctness over speed):

* ``HandwrittenRNN`` is seed 004's cell: ``i2h`` and ``i2o`` read the concatenation of the
  input and the previous hidden state (``lstm_core.models.HandRNNModel`` trains it on whole
  batches of sequences; ``ModelConfig(cell="HandRNN")`` builds that).
* ``ManualLSTM`` computes seed 001's equations gate by gate with weights copied from an
  ``nn.LSTM`` and returns an ``LSTMTrace`` of every gate and state, so a page can plot them::

      f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf)      forget gate
      i_t = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)      input gate
      g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)         candidate C~_t
      o_t = sigmoid(W_io x_t + b_io + W_ho h_{t-1} + b_ho)      output gate
      c_t = f_t * c_{t-1} + i_t * g_t                           cell state
      h_t = o_t * tanh(c_t)                                     hidden state

  (seed 001 writes ``W_f [h_{t-1}, x_t] + b_f``; torch splits that W into ``W_hf`` and
  ``W_if`` and keeps two biases, which add up to the same thing.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

Nonlinearity = Literal["tanh"] | None
# LSTMTrace's fields, in the order _run_direction records them.
_TRACE_FIELDS = ("forget_gate", "input_gate", "candidate", "output_gate", "cell", "hidden")


def _check_sequence(x: torch.Tensor, input_size: int) -> None:
    if x.dim() != 3:
        raise ValueError(f"expected x of shape (batch, seq_len, input_size); got {tuple(x.shape)}")
    if x.shape[1] == 0:
        raise ValueError("x has no time steps (seq_len is 0)")
    if x.shape[2] != input_size:
        raise ValueError(f"x has {x.shape[2]} features per step; the model expects input_size={input_size}")


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

    def sequence_logits(self, x: torch.Tensor) -> torch.Tensor:
        """Step through a whole sequence from a zero state; logits of the last step.

        Args:
            x: (batch, seq_len, input_size).

        Returns:
            (batch, output_size) logits (pre-LogSoftmax) read at the last step.
        """
        _check_sequence(x, self.input_size)
        hidden = self.init_hidden(x.shape[0])
        for t in range(x.shape[1]):
            logits, hidden = self.step(x[:, t], hidden)
        return logits

    def forward_sequence(self, x: torch.Tensor) -> torch.Tensor:
        """Like the seed's loop over characters: log-probs (batch, output_size) of the last step."""
        return self.log_softmax(self.sequence_logits(x))


@dataclass(frozen=True, slots=True, eq=False)
class LSTMTrace:
    """Every gate and state of a ``ManualLSTM`` run, detached from autograd.

    Each field has shape (num_layers, num_directions, batch, seq_len, hidden_size) and is indexed
    in input time order for both directions: ``hidden[l, 1, :, t]`` is the reverse direction's
    state after reading x_{T-1}..x_t. So the forward direction ends at step -1 and the reverse
    direction at step 0 (``final_state`` picks the right one).
    """

    forget_gate: torch.Tensor  # f_t, in [0, 1]
    input_gate: torch.Tensor  # i_t, in [0, 1]
    candidate: torch.Tensor  # g_t = C~_t, in [-1, 1]
    output_gate: torch.Tensor  # o_t, in [0, 1]
    cell: torch.Tensor  # c_t, the conveyor belt
    hidden: torch.Tensor  # h_t = o_t * tanh(c_t)

    @property
    def num_layers(self) -> int:
        return self.hidden.shape[0]

    @property
    def num_directions(self) -> int:
        return self.hidden.shape[1]

    @property
    def seq_len(self) -> int:
        return self.hidden.shape[3]

    def select(self, layer: int = 0, direction: int = 0) -> dict[str, torch.Tensor]:
        """The six (batch, seq_len, hidden_size) tensors of one layer and direction, by field name."""
        return {name: getattr(self, name)[layer, direction] for name in _TRACE_FIELDS}

    def final_state(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(h_n, c_n)`` in nn.LSTM's layout: (num_layers * num_directions, batch, hidden_size)."""
        last = [-1, 0][: self.num_directions]  # the reverse direction finishes at t = 0
        h = torch.stack([self.hidden[:, d, :, t] for d, t in enumerate(last)], dim=1)
        c = torch.stack([self.cell[:, d, :, t] for d, t in enumerate(last)], dim=1)
        return h.flatten(0, 1), c.flatten(0, 1)


class ManualLSTM(nn.Module):
    """An ``nn.LSTM`` written out gate by gate, with the same parameters and conventions.

    Parameter names and shapes equal nn.LSTM's (``weight_ih_l0`` is (4 * hidden, input) with
    the gates stacked in torch's order i, f, g, o), so ``load_state_dict(lstm.state_dict())``
    works; ``from_torch`` does that for you. Matching nn.LSTM exactly requires eval mode or
    ``dropout=0``: in training mode dropout between layers draws its own random masks.
    ``proj_size`` is not supported.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
    ) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.num_directions = 2 if bidirectional else 1
        bound = 1.0 / math.sqrt(hidden_size)  # nn.LSTM's default initialisation
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * self.num_directions
            for suffix in self._suffixes(layer):
                gates = 4 * hidden_size
                shapes = {"weight_ih": (gates, layer_input), "weight_hh": (gates, hidden_size)}
                if bias:
                    shapes |= {"bias_ih": (gates,), "bias_hh": (gates,)}
                for name, shape in shapes.items():
                    param = nn.Parameter(torch.empty(shape).uniform_(-bound, bound))
                    self.register_parameter(f"{name}{suffix}", param)

    def _suffixes(self, layer: int) -> list[str]:
        return [f"_l{layer}", f"_l{layer}_reverse"][: self.num_directions]

    @classmethod
    def from_torch(cls, lstm: nn.LSTM) -> ManualLSTM:
        """Copy an ``nn.LSTM``'s settings and weights; the copy starts in eval mode.

        Raises:
            ValueError: if ``lstm`` is not an nn.LSTM or uses ``proj_size``.
        """
        if not isinstance(lstm, nn.LSTM):
            raise ValueError(f"expected an nn.LSTM; got {type(lstm).__name__}")
        if lstm.proj_size:
            raise ValueError(f"ManualLSTM does not support proj_size (got {lstm.proj_size}); use proj_size=0")
        manual = cls(
            lstm.input_size,
            lstm.hidden_size,
            num_layers=lstm.num_layers,
            bias=lstm.bias,
            batch_first=lstm.batch_first,
            dropout=float(lstm.dropout),
            bidirectional=lstm.bidirectional,
        )
        weight = lstm.weight_ih_l0
        manual.to(device=weight.device, dtype=weight.dtype)
        manual.load_state_dict(lstm.state_dict())  # copies, so later training of lstm does not leak in
        return manual.eval()

    def forward(
        self, x: torch.Tensor, hx: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor], LSTMTrace]:
        # x: (batch, seq_len, input) if batch_first else (seq_len, batch, input); 2-D = unbatched
        if x.dim() not in (2, 3):
            raise ValueError(f"expected a 2-D or 3-D input; got shape {tuple(x.shape)}")
        unbatched = x.dim() == 2
        if unbatched:
            x = x.unsqueeze(1)
            hx = None if hx is None else (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        elif self.batch_first:
            x = x.transpose(0, 1)
        # From here on x is (seq_len, batch, input), torch's native layout.
        if x.shape[0] == 0 or x.shape[2] != self.input_size:
            raise ValueError(
                f"expected a non-empty input with {self.input_size} features per step; "
                f"got shape {tuple(x.shape)}"
            )
        state_shape = (self.num_layers * self.num_directions, x.shape[1], self.hidden_size)
        if hx is None:
            h0 = c0 = x.new_zeros(state_shape)
        else:
            h0, c0 = hx
            if tuple(h0.shape) != state_shape or tuple(c0.shape) != state_shape:
                raise ValueError(
                    f"h0 and c0 must have shape {state_shape}; got {tuple(h0.shape)} and {tuple(c0.shape)}"
                )

        layer_input = x
        traces: list[list[dict[str, torch.Tensor]]] = []
        h_n: list[torch.Tensor] = []
        c_n: list[torch.Tensor] = []
        for layer in range(self.num_layers):
            outputs, layer_traces = [], []
            for direction, suffix in enumerate(self._suffixes(layer)):
                index = layer * self.num_directions + direction
                # The reverse direction reads the flipped sequence; flipping its results back
                # lines step t up with x_t, as torch does.
                seq = layer_input.flip(0) if direction == 1 else layer_input
                steps = self._run_direction(seq, suffix, h0[index], c0[index])
                h_n.append(steps["hidden"][-1])
                c_n.append(steps["cell"][-1])
                if direction == 1:
                    steps = {name: value.flip(0) for name, value in steps.items()}
                outputs.append(steps["hidden"])
                layer_traces.append(steps)
            traces.append(layer_traces)
            # Layer l > 0 reads both directions' outputs side by side: (seq_len, batch, D * hidden).
            layer_input = torch.cat(outputs, dim=2)
            if self.dropout > 0 and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, training=self.training)

        output = layer_input
        h_n_t, c_n_t = torch.stack(h_n), torch.stack(c_n)
        # (seq_len, batch, hidden) per layer and direction -> (layers, D, batch, seq_len, hidden)
        stacked = {
            name: torch.stack([torch.stack([s[name] for s in lt]) for lt in traces]) for name in _TRACE_FIELDS
        }
        trace = LSTMTrace(**{name: value.transpose(2, 3).detach() for name, value in stacked.items()})
        if unbatched:
            return output.squeeze(1), (h_n_t.squeeze(1), c_n_t.squeeze(1)), trace
        if self.batch_first:
            output = output.transpose(0, 1)
        return output, (h_n_t, c_n_t), trace

    def _run_direction(
        self, seq: torch.Tensor, suffix: str, h: torch.Tensor, c: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        """One layer and direction over seq (seq_len, batch, in); each result is (seq_len, batch, hidden)."""
        w_ih = getattr(self, f"weight_ih{suffix}")
        w_hh = getattr(self, f"weight_hh{suffix}")
        # The input part of every gate does not depend on h, so compute it for all steps at once.
        x_part = seq @ w_ih.T
        if self.bias:
            x_part = x_part + getattr(self, f"bias_ih{suffix}") + getattr(self, f"bias_hh{suffix}")
        record: dict[str, list[torch.Tensor]] = {name: [] for name in _TRACE_FIELDS}
        for t in range(seq.shape[0]):
            # torch stacks the four gates' rows in the order i, f, g, o.
            pre_i, pre_f, pre_g, pre_o = (x_part[t] + h @ w_hh.T).chunk(4, dim=1)
            i, f = torch.sigmoid(pre_i), torch.sigmoid(pre_f)
            g, o = torch.tanh(pre_g), torch.sigmoid(pre_o)
            c = f * c + i * g  # forget part of the old memory, write part of the candidate
            h = o * torch.tanh(c)  # expose a filtered view of the memory
            for name, value in zip(record, (f, i, g, o, c, h), strict=True):
                record[name].append(value)
        return {name: torch.stack(values) for name, values in record.items()}


def trace_lstm(model: nn.Module, x: torch.Tensor) -> LSTMTrace:
    """Run a RecurrentModel's LSTM gate by gate (eval mode, no gradients) and return the trace.

    Args:
        model: a ``RecurrentModel`` with ``cell="LSTM"``, or a bare ``nn.LSTM``.
        x: (batch, seq_len, input_size) for a RecurrentModel (it is batch-first); for a bare
            nn.LSTM, laid out as its ``batch_first`` says.

    Returns:
        The ``LSTMTrace``; its hidden states at every step equal the model's recurrent output.

    Raises:
        ValueError: if the model's recurrent core is not an LSTM.
    """
    lstm = getattr(model, "rnn", model)
    if not isinstance(lstm, nn.LSTM):
        cell = model.cfg.cell if hasattr(model, "cfg") else type(model).__name__
        raise ValueError(f'trace_lstm needs an LSTM; this model\'s cell is {cell!r} (use cell="LSTM")')
    with torch.no_grad():
        _, _, trace = ManualLSTM.from_torch(lstm)(x)
    return trace
