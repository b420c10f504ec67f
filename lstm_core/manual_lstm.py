"""``ManualLSTM``: seed 001's LSTM equations gate by gate, for the "look inside" views.

``ManualLSTM`` computes the equations below with weights copied from an ``nn.LSTM``, stepping
through time in plain Python (correctness over speed), and returns an ``LSTMTrace`` of every
gate and state, so a page can plot them::

    f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf)      forget gate
    i_t = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)      input gate
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)         candidate C~_t
    o_t = sigmoid(W_io x_t + b_io + W_ho h_{t-1} + b_ho)      output gate
    c_t = f_t * c_{t-1} + i_t * g_t                           cell state
    h_t = o_t * tanh(c_t)                                     hidden state

(seed 001 writes ``W_f [h_{t-1}, x_t] + b_f``; torch splits that W into ``W_hf`` and ``W_if``
and keeps two biases, which add up to the same thing.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

# LSTMTrace's fields, in the order _run_direction records them.
_TRACE_FIELDS = ("forget_gate", "input_gate", "candidate", "output_gate", "cell", "hidden")


@dataclass(frozen=True, slots=True, eq=False)
class LSTMTrace:
    """Every gate and state of a ``ManualLSTM`` run, detached from autograd.

    Each field has shape (num_layers, num_directions, batch, seq_len, hidden_size) and is indexed
    in input time order for both directions: ``hidden[l, 1, :, t]`` is the reverse direction's
    state after reading x_{T-1}..x_t. So the forward direction ends at step -1 and the reverse
    direction at step 0.
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
        """Run like ``nn.LSTM`` and also return the trace of every gate and state.

        Args:
            x: (batch, seq_len, input_size) if ``batch_first`` else (seq_len, batch, input_size);
                2-D (seq_len, input_size) is one unbatched sequence.
            hx: optional ``(h0, c0)``, each (num_layers * num_directions, batch, hidden_size).

        Returns:
            ``(output, (h_n, c_n), trace)`` in nn.LSTM's layouts, plus the ``LSTMTrace``.

        Raises:
            ValueError: a wrongly shaped input or initial state.
        """
        # x: (batch, seq_len, input) if batch_first else (seq_len, batch, input); 2-D = unbatched
        unbatched = x.dim() == 2
        x, h0, c0 = self._native_layout(x, hx)
        output, h_n, c_n, trace = self._run_layers(x, h0, c0)
        if unbatched:
            return output.squeeze(1), (h_n.squeeze(1), c_n.squeeze(1)), trace
        if self.batch_first:
            output = output.transpose(0, 1)
        return output, (h_n, c_n), trace

    def _native_layout(
        self, x: torch.Tensor, hx: tuple[torch.Tensor, torch.Tensor] | None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``x`` as (seq_len, batch, input), torch's native layout, and checked initial states."""
        if x.dim() not in (2, 3):
            raise ValueError(f"expected a 2-D or 3-D input; got shape {tuple(x.shape)}")
        if x.dim() == 2:
            x = x.unsqueeze(1)
            hx = None if hx is None else (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        elif self.batch_first:
            x = x.transpose(0, 1)
        if x.shape[0] == 0 or x.shape[2] != self.input_size:
            raise ValueError(
                f"expected a non-empty input with {self.input_size} features per step; "
                f"got shape {tuple(x.shape)}"
            )
        state_shape = (self.num_layers * self.num_directions, x.shape[1], self.hidden_size)
        if hx is None:
            return x, x.new_zeros(state_shape), x.new_zeros(state_shape)
        h0, c0 = hx
        if tuple(h0.shape) != state_shape or tuple(c0.shape) != state_shape:
            raise ValueError(
                f"h0 and c0 must have shape {state_shape}; got {tuple(h0.shape)} and {tuple(c0.shape)}"
            )
        return x, h0, c0

    def _run_layers(
        self, x: torch.Tensor, h0: torch.Tensor, c0: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, LSTMTrace]:
        """Every layer and direction over x (seq_len, batch, input): output, h_n, c_n and the trace."""
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
        # (seq_len, batch, hidden) per layer and direction -> (layers, D, batch, seq_len, hidden)
        stacked = {
            name: torch.stack([torch.stack([s[name] for s in lt]) for lt in traces]) for name in _TRACE_FIELDS
        }
        trace = LSTMTrace(**{name: value.transpose(2, 3).detach() for name, value in stacked.items()})
        return layer_input, torch.stack(h_n), torch.stack(c_n), trace

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
