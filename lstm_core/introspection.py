"""Looking inside trained recurrent models: gradients over time, LSTM gates, units, saturation.

* ``gradient_over_time``: how strongly the loss reacts to each input step, ``|d loss / d x_t|``,
  the measured form of "vanishing gradients" (a plain RNN's norms fall by orders of magnitude
  towards the start of a long sequence).
* ``inspect_lstm``: every gate and state of an ``nn.LSTM`` recomputed gate by gate
  (``ManualLSTM``) and checked against the LSTM's own output.
* ``rank_units``: which hidden or cell units track the task's marker or target.
* ``gate_saturation``: how often forget gates stay open (> 0.9) and input gates stay shut (< 0.1),
  the regime in which an LSTM carries memory unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from lstm_core.manual_lstm import LSTMTrace, ManualLSTM

# Thresholds of the saturation view (gates are sigmoids in [0, 1]).
FORGET_OPEN = 0.9
INPUT_SHUT = 0.1
GATE_FIELDS = ("input_gate", "forget_gate", "output_gate", "candidate", "cell", "hidden")


def gradient_over_time(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
) -> np.ndarray:
    """Mean over the batch of ``||d loss_b / d x_{b,t}||`` for each step t.

    ``loss`` is a mean over the batch (like ``nn.CrossEntropyLoss()``); it is multiplied by the
    batch size so that each sample's gradient is that of its own loss (samples do not interact
    in eval mode). The model runs in eval mode and is left in the mode it was in.

    Args:
        model: maps (batch, seq_len, features) to (batch, outputs).
        x: (batch, seq_len, features) inputs; not modified.
        y: targets that ``loss`` accepts.
        loss: ``loss(out, y) -> scalar``, mean over the batch.

    Returns:
        (seq_len,) float64 array of gradient norms; a log axis suits it.

    Raises:
        ValueError: if x is not 3-D or is empty.
    """
    if x.dim() != 3 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"expected a non-empty x of shape (batch, seq_len, features); got {tuple(x.shape)}")
    was_training = model.training
    model.eval()
    inputs = x.detach().clone().requires_grad_(True)
    try:
        # cuDNN's RNN backward refuses eval mode; the native kernels compute the same gradients.
        with torch.enable_grad(), torch.backends.cudnn.flags(enabled=False):
            value = loss(model(inputs), y) * x.shape[0]
            (grad,) = torch.autograd.grad(value, inputs)
    finally:
        model.train(was_training)
    # grad: (batch, seq_len, features) -> a norm per sample and step, averaged over the batch
    return grad.norm(dim=2).mean(dim=0).double().cpu().numpy()


@dataclass(frozen=True, slots=True, eq=False)
class LSTMInspection:
    """An LSTM's gates and states on one input, and how closely they reproduce nn.LSTM."""

    trace: LSTMTrace  # fields (layers, directions, batch, seq_len, hidden)
    max_abs_diff: float  # largest |difference| of output, h_n and c_n against nn.LSTM

    def matrices(self, sample: int = 0, layer: int = 0, direction: int = 0) -> dict[str, np.ndarray]:
        """Each field of ``GATE_FIELDS`` as a (seq_len, hidden) array for one sample: a heatmap's data.

        Raises:
            ValueError: for a sample, layer or direction out of range.
        """
        trace = self.trace
        ranges = (("sample", sample, trace.hidden.shape[2]), ("layer", layer, trace.num_layers),
                  ("direction", direction, trace.num_directions))
        for name, value, size in ranges:
            if not 0 <= value < size:
                raise ValueError(f"{name} must be in [0, {size - 1}]; got {value}")
        return {name: getattr(trace, name)[layer, direction, sample].cpu().numpy() for name in GATE_FIELDS}


def lstm_of(model: nn.Module) -> nn.LSTM:
    """The nn.LSTM of a model (``model.rnn``) or the module itself.

    Raises:
        ValueError: if there is no nn.LSTM to inspect.
    """
    lstm = model if isinstance(model, nn.LSTM) else getattr(model, "rnn", None)
    if not isinstance(lstm, nn.LSTM):
        raise ValueError(f"only an LSTM has gates to show; this model's recurrent layer is "
                         f"{type(lstm if lstm is not None else model).__name__}")
    return lstm


@torch.no_grad()
def inspect_lstm(model: nn.Module, x: torch.Tensor) -> LSTMInspection:
    """Recompute an LSTM gate by gate (``ManualLSTM.from_torch``) and compare with nn.LSTM itself.

    Args:
        model: an nn.LSTM, or a model whose ``rnn`` is one (``RecurrentModel`` with cell "LSTM").
        x: input laid out as the LSTM's ``batch_first`` says; (batch, seq_len, input_size) for the
            app's models.

    Returns:
        The trace and the largest absolute difference of the outputs, h_n and c_n.

    Raises:
        ValueError: if the model has no nn.LSTM or x has the wrong shape.
    """
    # Both in float64, from the same trained weights: the difference then measures the equations
    # written out gate by gate against torch's implementation, not float32 rounding (about 1e-5).
    lstm = copy.deepcopy(lstm_of(model)).double().eval()  # eval: no dropout masks between layers
    x = x.double()
    manual = ManualLSTM.from_torch(lstm)
    out_m, (h_m, c_m), trace = manual(x)
    with torch.no_grad():
        out, (h, c) = lstm(x)
    diff = max(float((a - b).abs().max()) for a, b in ((out, out_m), (h, h_m), (c, c_m)))
    return LSTMInspection(trace, diff)


@dataclass(frozen=True, slots=True)
class UnitScore:
    unit: int
    correlation: float  # Pearson correlation with the signal, in [-1, 1]; 0 for a constant unit


def rank_units(states: torch.Tensor | np.ndarray, signal: torch.Tensor | np.ndarray) -> list[UnitScore]:
    """Units ordered by how well they track a task signal, strongest |correlation| first.

    Args:
        states: (batch, seq_len, units) hidden or cell states (e.g. ``trace.hidden[0, 0]``).
        signal: (batch, seq_len) per step (e.g. where the markers are: each unit's whole trace is
            correlated with it), or (batch,) per sequence (e.g. the target: each unit's state at
            the last step is correlated with it).

    Raises:
        ValueError: if the shapes do not line up.
    """
    s = np.asarray(states, dtype=np.float64)
    g = np.asarray(signal, dtype=np.float64)
    if s.ndim != 3:
        raise ValueError(f"states must be (batch, seq_len, units); got shape {s.shape}")
    if g.shape == s.shape[:1]:
        s = s[:, -1, :]  # the sequence's verdict: the state after the last step
    elif g.shape == s.shape[:2]:
        s, g = s.reshape(-1, s.shape[2]), g.reshape(-1)
    else:
        raise ValueError(f"signal must be (batch,) or (batch, seq_len) = {s.shape[:2]}; got shape {g.shape}")
    s = s - s.mean(axis=0)
    g = g - g.mean()
    denom = np.sqrt((s**2).sum(axis=0) * (g**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.where(denom > 0, (s * g[:, None]).sum(axis=0) / np.where(denom > 0, denom, 1.0), 0.0)
    order = np.argsort(-np.abs(corr), kind="stable")
    return [UnitScore(int(u), float(corr[u])) for u in order]


@dataclass(frozen=True, slots=True)
class GateSaturation:
    forget_open: float  # share of forget-gate values above FORGET_OPEN (memory kept)
    input_shut: float  # share of input-gate values below INPUT_SHUT (nothing written)


def gate_saturation(trace: LSTMTrace, layer: int | None = None) -> GateSaturation:
    """Shares of saturated gates over every sample, step, unit and direction (of one layer or all).

    Raises:
        ValueError: for a layer out of range.
    """
    f, i = trace.forget_gate, trace.input_gate
    if layer is not None:
        if not 0 <= layer < trace.num_layers:
            raise ValueError(f"layer must be in [0, {trace.num_layers - 1}]; got {layer}")
        f, i = f[layer], i[layer]
    return GateSaturation(float((f > FORGET_OPEN).double().mean()), float((i < INPUT_SHUT).double().mean()))
