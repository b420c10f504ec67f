"""ManualLSTM must equal nn.LSTM (outputs, states, gradients) and trace every gate and state."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn

from lstm_core.config import ModelConfig
from lstm_core.manual_lstm import LSTMTrace, ManualLSTM, trace_lstm
from lstm_core.models import build_model

INPUT, HIDDEN, BATCH, SEQ = 3, 5, 2, 6
ATOL = 1e-5


def _random_lstm(seed: int = 0, **kwargs: object) -> nn.LSTM:
    torch.manual_seed(seed)
    lstm = nn.LSTM(INPUT, HIDDEN, **kwargs)
    with torch.no_grad():
        for p in lstm.parameters():
            # Wider than torch's default init, so gates saturate at times and the test sees both ends.
            p.normal_(0.0, 0.8)
    return lstm.eval()


def _input(batch_first: bool, seed: int = 1) -> torch.Tensor:
    torch.manual_seed(seed)
    x = torch.randn(BATCH, SEQ, INPUT)
    return x if batch_first else x.transpose(0, 1).contiguous()



COMBOS = list(itertools.product([1, 2, 3], [False, True], [True, False], [True, False]))


@pytest.mark.parametrize(("num_layers", "bidirectional", "batch_first", "bias"), COMBOS)
def test_manual_lstm_matches_torch(
    num_layers: int, bidirectional: bool, batch_first: bool, bias: bool
) -> None:
    lstm = _random_lstm(
        num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first, bias=bias
    )
    manual = ManualLSTM.from_torch(lstm)
    x = _input(batch_first)
    with torch.no_grad():
        expected, (h_n, c_n) = lstm(x)
        output, (m_h, m_c), trace = manual(x)
    torch.testing.assert_close(output, expected, atol=ATOL, rtol=0)
    torch.testing.assert_close(m_h, h_n, atol=ATOL, rtol=0)
    torch.testing.assert_close(m_c, c_n, atol=ATOL, rtol=0)

    d = 2 if bidirectional else 1
    assert trace.forget_gate.shape == (num_layers, d, BATCH, SEQ, HIDDEN)
    assert (trace.num_layers, trace.num_directions) == (num_layers, d)
    for gate in (trace.forget_gate, trace.input_gate, trace.output_gate):
        assert gate.min() >= 0.0 and gate.max() <= 1.0
    assert trace.candidate.min() >= -1.0 and trace.candidate.max() <= 1.0
    # The last step of each direction (t=-1 forward, t=0 reverse) is h_n / c_n.
    for layer, direction in itertools.product(range(num_layers), range(d)):
        t, index = (-1, 0)[direction], layer * d + direction
        torch.testing.assert_close(trace.hidden[layer, direction, :, t], h_n[index], atol=ATOL, rtol=0)
        torch.testing.assert_close(trace.cell[layer, direction, :, t], c_n[index], atol=ATOL, rtol=0)
    # The top layer's hidden states, directions side by side, are the output.
    top = torch.cat(list(trace.hidden[-1]), dim=-1)
    torch.testing.assert_close(top, expected if batch_first else expected.transpose(0, 1), atol=ATOL, rtol=0)


def test_manual_lstm_equations_hold_in_trace() -> None:
    trace = ManualLSTM.from_torch(_random_lstm(num_layers=1))(_input(True).transpose(0, 1))[2]
    s = {name: getattr(trace, name)[0, 0] for name in ("forget_gate", "input_gate", "candidate",
                                                        "output_gate", "cell", "hidden")}
    c_prev = torch.cat([torch.zeros(BATCH, 1, HIDDEN), s["cell"][:, :-1]], dim=1)
    torch.testing.assert_close(s["cell"], s["forget_gate"] * c_prev + s["input_gate"] * s["candidate"])
    torch.testing.assert_close(s["hidden"], s["output_gate"] * torch.tanh(s["cell"]))


def test_manual_lstm_initial_state_and_unbatched_input() -> None:
    lstm = _random_lstm(num_layers=2, bidirectional=True, batch_first=True)
    manual = ManualLSTM.from_torch(lstm)
    x = _input(True)
    torch.manual_seed(2)
    hx = (torch.randn(4, BATCH, HIDDEN), torch.randn(4, BATCH, HIDDEN))
    with torch.no_grad():
        expected, (h_n, c_n) = lstm(x, hx)
        output, (m_h, m_c), _ = manual(x, hx)
        torch.testing.assert_close(output, expected, atol=ATOL, rtol=0)
        torch.testing.assert_close((m_h, m_c), (h_n, c_n), atol=ATOL, rtol=0)
        # Unbatched: (seq_len, input) whatever batch_first says, states (layers * D, hidden).
        expected, (h_n, _) = lstm(x[0])
        output, (m_h, _), trace = manual(x[0])
    torch.testing.assert_close(output, expected, atol=ATOL, rtol=0)
    torch.testing.assert_close(m_h, h_n, atol=ATOL, rtol=0)
    assert trace.hidden.shape == (2, 2, 1, SEQ, HIDDEN)


def test_manual_lstm_gradients_match_torch() -> None:
    lstm = _random_lstm(num_layers=2, batch_first=True)
    manual = ManualLSTM.from_torch(lstm)
    x = _input(True)
    lstm(x)[0].square().sum().backward()
    manual(x)[0].square().sum().backward()
    for name, p in lstm.named_parameters():
        torch.testing.assert_close(getattr(manual, name).grad, p.grad, atol=1e-4, rtol=1e-4)


def test_from_torch_copies_weights_and_starts_in_eval() -> None:
    lstm = _random_lstm(num_layers=2, dropout=0.5, batch_first=True)
    manual = ManualLSTM.from_torch(lstm)
    assert not manual.training
    assert manual.state_dict().keys() == lstm.state_dict().keys()
    x = _input(True)
    with torch.no_grad():
        # In eval mode dropout is off on both sides, so the outputs still agree.
        torch.testing.assert_close(manual(x)[0], lstm(x)[0], atol=ATOL, rtol=0)
        lstm.weight_hh_l0.zero_()
    assert manual.weight_hh_l0.abs().sum() > 0


def test_from_torch_rejects_proj_size_and_other_modules() -> None:
    with pytest.raises(ValueError, match="proj_size"):
        ManualLSTM.from_torch(nn.LSTM(INPUT, HIDDEN, proj_size=2))
    with pytest.raises(ValueError, match="expected an nn.LSTM; got GRU"):
        ManualLSTM.from_torch(nn.GRU(INPUT, HIDDEN))  # type: ignore[arg-type]


def test_manual_lstm_rejects_bad_shapes() -> None:
    manual = ManualLSTM(INPUT, HIDDEN, batch_first=True)
    with pytest.raises(ValueError, match="3 features per step"):
        manual(torch.zeros(BATCH, SEQ, INPUT + 1))
    with pytest.raises(ValueError, match="2-D or 3-D"):
        manual(torch.zeros(SEQ))
    with pytest.raises(ValueError, match=r"h0 and c0 must have shape \(1, 2, 5\)"):
        manual(torch.zeros(BATCH, SEQ, INPUT), (torch.zeros(1, 3, HIDDEN), torch.zeros(1, 3, HIDDEN)))


def test_trace_lstm_on_recurrent_model() -> None:
    torch.manual_seed(0)
    cfg = ModelConfig(cell="LSTM", hidden_size=HIDDEN, num_layers=2, bidirectional=True)
    model = build_model(cfg, input_size=INPUT, output_size=1)
    x = _input(True)
    trace = trace_lstm(model, x)
    assert isinstance(trace, LSTMTrace)
    assert not trace.hidden.requires_grad
    with torch.no_grad():
        expected = model.sequence_output(x)
    torch.testing.assert_close(torch.cat(list(trace.hidden[-1]), dim=-1), expected, atol=ATOL, rtol=0)


@pytest.mark.parametrize("cell", ["RNN", "GRU"])
def test_trace_lstm_rejects_other_cells(cell: str) -> None:
    model = build_model(ModelConfig(cell=cell, hidden_size=HIDDEN), input_size=INPUT, output_size=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=f"trace_lstm needs an LSTM; this model's cell is '{cell}'"):
        trace_lstm(model, _input(True))
