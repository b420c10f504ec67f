"""One registry of recurrent models: RNN, LSTM, GRU and seed 004's hand-written RNN.

Every kind maps a zero-padded batch of sequences to one output vector per sequence::

    x (batch, seq_len, input_size), lengths (batch,) optional
      -> core  -> out (batch, seq_len, D * hidden_size)     D = 2 if bidirectional
      -> head "last": out at step lengths - 1  -> Linear(D * hidden, output_size)
         head "all":  out.flatten(1)           -> Linear(seq_len * D * hidden, output_size)
         head "mean" / "max": out pooled over each sequence's real steps -> Linear(D * hidden, output_size)

``build_model(cfg, input_size=, output_size=, seq_len=)`` builds any kind from its
hyperparameters (``ModelConfig``) and the data's sizes; adding a kind is one entry in
``MODEL_KINDS``. Seed 000 is ``build_model(ModelConfig(cell="LSTM", hidden_size=100, num_layers=1),
input_size=28, output_size=10)``: its six tensors are ``rnn.weight_ih_l0`` [400, 28],
``rnn.weight_hh_l0`` [400, 100], two biases [400], ``head.weight`` [10, 100] and ``head.bias`` [10].
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_core.cells import HandwrittenRNN
from lstm_core.config import CELL_TYPES, ConfigError, ModelConfig

# Far above anything that trains in reasonable time on a CPU, and the limit a run file may hold:
# so whatever trains here can be saved and loaded back.
MAX_PARAMETERS = 10_000_000


def _last_step(out: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    """out (batch, seq_len, features) -> (batch, features) at each sequence's last real step."""
    if lengths is None:
        return out[:, -1]
    index = (lengths.to(out.device) - 1).clamp(min=0)
    return out[torch.arange(out.shape[0], device=out.device), index]


def _real_steps(lengths: torch.Tensor, seq_len: int, device: torch.device) -> torch.Tensor:
    """(batch, seq_len) True at each sequence's real steps, False on its padding."""
    return torch.arange(seq_len, device=device)[None] < lengths.to(device)[:, None]


def _pool(out: torch.Tensor, lengths: torch.Tensor | None, how: str) -> torch.Tensor:
    """out (batch, seq_len, features) -> (batch, features): mean or max over each sequence's real steps."""
    if lengths is not None:
        real = _real_steps(lengths, out.shape[1], out.device)
        if how == "max":  # a padded step (its output is 0) must never win
            return out.masked_fill(~real[:, :, None], float("-inf")).amax(1)
        return out.sum(1) / lengths.to(out.device, out.dtype)[:, None]  # padded outputs are zeros
    return out.amax(1) if how == "max" else out.mean(1)


def _running_pool(out: torch.Tensor, how: str) -> torch.Tensor:
    """(batch, seq_len, features) -> the same shape: at step t, the pool of steps 1..t."""
    if how == "max":
        return out.cummax(1).values
    steps = torch.arange(1, out.shape[1] + 1, device=out.device, dtype=out.dtype)
    return out.cumsum(1) / steps[None, :, None]


class RecurrentModel(nn.Module):
    """torch's RNN, LSTM or GRU followed by a linear head."""

    def __init__(
        self, cfg: ModelConfig, input_size: int, output_size: int, seq_len: int | None = None
    ) -> None:
        super().__init__()
        self.cfg, self.input_size, self.output_size, self.seq_len = cfg, input_size, output_size, seq_len
        self.rnn = _TORCH_LAYERS[cfg.cell](
            input_size=input_size, hidden_size=cfg.hidden_size, num_layers=cfg.num_layers,
            dropout=cfg.dropout, bidirectional=cfg.bidirectional, batch_first=True,
        )
        if cfg.cell == "LSTM" and cfg.forget_bias is not None:
            _set_forget_bias(self.rnn, cfg.forget_bias)
        features = cfg.num_directions * cfg.hidden_size
        if cfg.head == "all":
            features *= seq_len  # type: ignore[operator]  # build_model checks seq_len
        self.head = nn.Linear(features, output_size)

    def sequence_output(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """The recurrent core's output at every step: (batch, seq_len, D * hidden_size).

        With ``lengths`` the padded steps are skipped (packed), and their outputs are zeros.
        """
        # x: (batch, seq_len, input_size); h0 and c0 default to zeros
        if lengths is None or bool((lengths == x.shape[1]).all()):
            return self.rnn(x)[0]
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.rnn(packed)
        return pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])[0]

    def step_outputs(self, x: torch.Tensor) -> torch.Tensor:
        """The head's answer after each step, (batch, seq_len, output_size): the belief while reading.

        Only a one-way model with the last-step or a pooled head has one: its answer after step t
        reads x_1..x_t (a pooled head: the pool of outputs 1..t, what it answers for a sequence of t steps).
        """
        if self.cfg.head == "all" or self.cfg.bidirectional:
            raise ValueError("only a one-way model with the last-step or a pooled head has an answer after "
                             "each step")
        out = self.sequence_output(x)
        return self.head(out if self.cfg.head == "last" else _running_pool(out, self.cfg.head))

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        # x: (batch, seq_len, input_size) -> (batch, output_size)
        out = self.sequence_output(x, lengths)
        if self.cfg.head == "all":
            if out.shape[1] != self.seq_len:
                raise ValueError(
                    f'the "all" head was built for seq_len {self.seq_len}, got {out.shape[1]} steps')
            return self.head(out.flatten(1))
        if self.cfg.head in ("mean", "max"):
            return self.head(_pool(out, lengths, self.cfg.head))
        return self.head(_last_step(out, lengths))


class HandRNNModel(nn.Module):
    """Seed 004's cell over whole sequences: ``h = i2h([x_t, h])`` and logits ``i2o([x_t, h_{t-1}])``.

    As in the seed, the new hidden state has no nonlinearity and the output at the last step is
    read from the concatenation, not from the new hidden state; its ``i2o`` is the head.
    """

    def __init__(
        self, cfg: ModelConfig, input_size: int, output_size: int, seq_len: int | None = None
    ) -> None:
        super().__init__()
        self.cfg, self.input_size, self.output_size, self.seq_len = cfg, input_size, output_size, seq_len
        self.cell = HandwrittenRNN(input_size, cfg.hidden_size, output_size, nonlinearity=None)

    @property
    def head(self) -> nn.Linear:
        return self.cell.i2o

    def _steps(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits (batch, seq_len, output) and new hidden states (batch, seq_len, hidden) at every step."""
        hidden, logits, states = self.cell.init_hidden(x.shape[0]), [], []
        for t in range(x.shape[1]):
            out, hidden = self.cell.step(x[:, t], hidden)
            logits.append(out)
            states.append(hidden)
        return torch.stack(logits, 1), torch.stack(states, 1)

    def step_outputs(self, x: torch.Tensor) -> torch.Tensor:
        """The logits after each step, (batch, seq_len, output_size): the belief while reading."""
        return self._steps(x)[0]

    def sequence_output(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Hidden state after every step: (batch, seq_len, hidden_size); zeros past each length."""
        states = self._steps(x)[1]
        if lengths is not None:
            states = states * _real_steps(lengths, x.shape[1], x.device)[:, :, None]
        return states

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        # x: (batch, seq_len, input_size) -> (batch, output_size) logits of each sequence's last step
        # (a padded step never changes the result: the logits are read at step lengths - 1)
        return _last_step(self._steps(x)[0], lengths)


def _set_forget_bias(lstm: nn.LSTM, value: float) -> None:
    """Start every forget gate at sigmoid(value): b_hf = value, b_if = 0 (torch stacks gates i, f, g, o)."""
    h = lstm.hidden_size
    with torch.no_grad():
        for name, param in lstm.named_parameters():
            if name.startswith("bias_ih"):
                param[h : 2 * h] = 0.0
            elif name.startswith("bias_hh"):
                param[h : 2 * h] = value


_TORCH_LAYERS: dict[str, type[nn.RNNBase]] = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
ModelFactory = Callable[[ModelConfig, int, int, "int | None"], nn.Module]
# The registry: cell name -> class built from (cfg, input_size, output_size, seq_len).
MODEL_KINDS: dict[str, ModelFactory] = {
    "RNN": RecurrentModel, "LSTM": RecurrentModel, "GRU": RecurrentModel, "HandRNN": HandRNNModel,
}
assert set(MODEL_KINDS) == set(CELL_TYPES), "every cell type needs a registry entry"


def _check_sizes(cfg: ModelConfig, input_size: int, output_size: int, seq_len: int | None) -> None:
    for name, value in (("input_size", input_size), ("output_size", output_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1; got {value!r}")
    if cfg.head == "all" and (not isinstance(seq_len, int) or seq_len < 1):
        raise ValueError('the "all" head needs the sequence length (its Linear reads every step)')


def count_parameters(
    cfg: ModelConfig, *, input_size: int, output_size: int, seq_len: int | None = None
) -> int:
    """Trainable parameters of the model ``build_model`` would build, without allocating its weights."""
    _check_sizes(cfg, input_size, output_size, seq_len)
    with torch.device("meta"):
        return parameter_count(MODEL_KINDS[cfg.cell](cfg, input_size, output_size, seq_len))


def build_model(
    cfg: ModelConfig, *, input_size: int, output_size: int, seq_len: int | None = None
) -> nn.Module:
    """Build the model a config describes, for data of the given sizes.

    Args:
        cfg: the hyperparameters.
        input_size: features per time step (28 pixels for an MNIST row).
        output_size: 1 for a forecaster, the number of classes for a classifier.
        seq_len: steps per sequence; needed by the "all" head only.

    Raises:
        ValueError: impossible sizes, or a model above ``MAX_PARAMETERS`` (checked before
            anything is allocated; the message gives its size and the limit).
    """
    n = count_parameters(cfg, input_size=input_size, output_size=output_size, seq_len=seq_len)
    if n > MAX_PARAMETERS:
        raise ConfigError(
            "hidden_size", f"this model would have {n:,} parameters (about {n * 16 / 2**30:.1f} GiB to train "
            f"with Adam); the limit here is {MAX_PARAMETERS:,}: use a smaller hidden size or fewer layers")
    return MODEL_KINDS[cfg.cell](cfg, input_size, output_size, seq_len)


def parameter_count(model: nn.Module) -> int:
    """Trainable parameters of a built model (``count_parameters`` counts one from its config)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


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
