"""Tests for gradients over time, LSTM gate inspection, unit ranking and gate saturation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from lstm_core.introspection import (
    GATE_FIELDS,
    gate_saturation,
    gradient_over_time,
    inspect_lstm,
    lstm_of,
    rank_units,
)


class _Linear(nn.Module):
    """out_b = sum_t w_t . x_{b,t}: d out_b / d x_{b,t} = w_t exactly."""

    def __init__(self, weight: torch.Tensor) -> None:
        super().__init__()
        self.weight = nn.Parameter(weight)  # (seq_len, features)

    def forward(self, x):
        return (x * self.weight).sum(dim=(1, 2))[:, None]


class _Wrapped(nn.Module):
    def __init__(self, lstm):
        super().__init__()
        self.rnn = lstm


def test_gradient_over_time_matches_the_analytic_answer():
    torch.manual_seed(0)
    w = torch.randn(7, 3)
    x, y = torch.randn(5, 7, 3), torch.zeros(5, 1)
    # loss = mean_b out_b: each sample's gradient w.r.t. its own x_t is w_t, whatever x is
    norms = gradient_over_time(_Linear(w), x, y, lambda out, _y: out.mean())
    assert norms.shape == (7,)
    assert np.allclose(norms, w.norm(dim=1).numpy(), rtol=1e-6)


def test_gradient_over_time_with_mse_and_no_side_effects():
    w = torch.tensor([[1.0], [2.0], [0.0]])
    x = torch.ones(4, 3, 1)
    y = torch.zeros(4, 1)
    model = _Linear(w).train()
    # out = 3 for every sample; d (out - 0)^2 / d x_t = 2 * 3 * w_t
    norms = gradient_over_time(model, x, y, nn.MSELoss())
    assert np.allclose(norms, [6.0, 12.0, 0.0])
    assert model.training and model.weight.grad is None and not x.requires_grad


def test_gradient_vanishes_in_a_contracting_rnn():
    torch.manual_seed(0)
    rnn = nn.RNN(2, 8, batch_first=True)
    with torch.no_grad():
        rnn.weight_hh_l0.mul_(0.2)  # strongly contracting: early inputs barely reach the end

    class Last(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn, self.head = rnn, nn.Linear(8, 1)

        def forward(self, x):
            return self.head(self.rnn(x)[0][:, -1])

    norms = gradient_over_time(Last(), torch.randn(16, 30, 2), torch.zeros(16, 1), nn.MSELoss())
    assert norms[-1] > 1e6 * norms[0]
    assert np.all(np.diff(np.log(norms[-10:])) > 0)  # grows towards the last step


def test_gradient_over_time_rejects_bad_input():
    with pytest.raises(ValueError, match="non-empty x of shape"):
        gradient_over_time(_Linear(torch.ones(3, 1)), torch.ones(3, 1), torch.ones(3), nn.MSELoss())


@pytest.mark.parametrize(("layers", "bidirectional"), [(1, False), (2, True)])
def test_inspect_lstm_matches_nn_lstm(layers, bidirectional):
    torch.manual_seed(1)
    lstm = nn.LSTM(3, 5, num_layers=layers, bidirectional=bidirectional, batch_first=True, dropout=0.0)
    x = torch.randn(4, 12, 3)
    result = inspect_lstm(_Wrapped(lstm), x)
    assert result.max_abs_diff < 1e-5
    assert result.trace.hidden.shape == (layers, 2 if bidirectional else 1, 4, 12, 5)
    mats = result.matrices(sample=2, layer=layers - 1, direction=0)
    assert set(mats) == set(GATE_FIELDS)
    assert all(m.shape == (12, 5) for m in mats.values())
    out, _ = lstm(x)
    assert np.allclose(mats["hidden"], out[2, :, :5].detach().numpy(), atol=1e-5)
    assert mats["forget_gate"].min() >= 0 and mats["forget_gate"].max() <= 1


def test_inspect_lstm_puts_back_training_mode_and_checks_ranges():
    lstm = nn.LSTM(2, 3, num_layers=2, dropout=0.5, batch_first=True).train()
    result = inspect_lstm(lstm, torch.randn(2, 4, 2))
    assert lstm.training and result.max_abs_diff < 1e-5  # compared in eval mode: no dropout masks
    with pytest.raises(ValueError, match="sample must be in \\[0, 1\\]"):
        result.matrices(sample=2)
    with pytest.raises(ValueError, match="direction must be in \\[0, 0\\]"):
        result.matrices(direction=1)


def test_lstm_of_rejects_other_cells():
    with pytest.raises(ValueError, match="only an LSTM has gates to show; .* GRU"):
        lstm_of(_Wrapped(nn.GRU(2, 3)))
    with pytest.raises(ValueError, match="only an LSTM"):
        lstm_of(nn.Linear(2, 3))


def test_rank_units_per_step_and_per_sequence():
    rng = np.random.default_rng(0)
    signal = (rng.random((20, 10)) < 0.2).astype(float)
    states = rng.normal(size=(20, 10, 4)) * 0.1
    states[..., 2] += signal  # unit 2 tracks the marker
    states[..., 0] -= 0.5 * signal  # unit 0 tracks it negatively, more weakly
    states[..., 3] = 1.0  # constant unit: correlation 0, not NaN
    ranked = rank_units(states, signal)
    assert [r.unit for r in ranked][:2] == [2, 0]
    assert ranked[0].correlation > 0.9 and ranked[1].correlation < -0.8
    assert ranked[-1].unit == 3 or abs(ranked[-1].correlation) < 0.5
    assert {r.unit: r.correlation for r in ranked}[3] == 0.0

    target = rng.normal(size=20)
    states = rng.normal(size=(20, 10, 3))
    states[:, -1, 1] = 2 * target + 1  # the last step's state of unit 1 encodes the target
    assert rank_units(torch.tensor(states), torch.tensor(target))[0].unit == 1
    assert rank_units(states, target)[0].correlation == pytest.approx(1.0)
    with pytest.raises(ValueError, match="signal must be"):
        rank_units(states, target[:5])


def test_gate_saturation_counts_shares():
    torch.manual_seed(0)
    lstm = nn.LSTM(2, 4, num_layers=2, batch_first=True)
    with torch.no_grad():
        lstm.bias_hh_l0[4:8] = 10.0  # layer 0 forget gates wide open
        lstm.bias_hh_l0[0:4] = -10.0  # layer 0 input gates shut
    trace = inspect_lstm(lstm, torch.randn(3, 6, 2) * 0.1).trace
    sat0 = gate_saturation(trace, layer=0)
    assert sat0.forget_open == 1.0 and sat0.input_shut == 1.0
    overall = gate_saturation(trace)
    assert 0.5 <= overall.forget_open < 1.0
    with pytest.raises(ValueError, match="layer must be in \\[0, 1\\]"):
        gate_saturation(trace, layer=2)
