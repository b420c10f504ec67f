"""Hand-written cells: ManualLSTM must equal nn.LSTM; seed 004's RNN must shape up and learn."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn

from lstm_core.cells import HandwrittenRNN, LSTMTrace, ManualLSTM, trace_lstm
from lstm_core.config import ModelConfig
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
    assert (trace.num_layers, trace.num_directions, trace.seq_len) == (num_layers, d, SEQ)
    for gate in (trace.forget_gate, trace.input_gate, trace.output_gate):
        assert gate.min() >= 0.0 and gate.max() <= 1.0
    assert trace.candidate.min() >= -1.0 and trace.candidate.max() <= 1.0
    # The last step of each direction (t=-1 forward, t=0 reverse) is h_n / c_n.
    trace_h, trace_c = trace.final_state()
    torch.testing.assert_close(trace_h, h_n, atol=ATOL, rtol=0)
    torch.testing.assert_close(trace_c, c_n, atol=ATOL, rtol=0)
    torch.testing.assert_close(trace.hidden[-1, 0, :, -1], h_n[-d], atol=ATOL, rtol=0)
    # The top layer's hidden states, directions side by side, are the output.
    top = torch.cat(list(trace.hidden[-1]), dim=-1)
    torch.testing.assert_close(top, expected if batch_first else expected.transpose(0, 1), atol=ATOL, rtol=0)


def test_manual_lstm_equations_hold_in_trace() -> None:
    trace = ManualLSTM.from_torch(_random_lstm(num_layers=1))(_input(True).transpose(0, 1))[2]
    s = trace.select(0, 0)
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


# --- seed 004's hand-written RNN -------------------------------------------------------------


def test_handwritten_rnn_step_shapes_and_log_probs() -> None:
    torch.manual_seed(0)
    rnn = HandwrittenRNN(input_size=INPUT, hidden_size=HIDDEN, output_size=4)
    hidden = rnn.init_hidden(BATCH)
    assert hidden.shape == (BATCH, HIDDEN) and not hidden.any()
    assert rnn.i2h.weight.shape == (HIDDEN, INPUT + HIDDEN)
    assert rnn.i2o.weight.shape == (4, INPUT + HIDDEN)
    log_probs, new_hidden = rnn(torch.randn(BATCH, INPUT), hidden)
    assert log_probs.shape == (BATCH, 4) and new_hidden.shape == (BATCH, HIDDEN)
    torch.testing.assert_close(log_probs.exp().sum(dim=1), torch.ones(BATCH))


def test_handwritten_rnn_sequence_and_steps_agree() -> None:
    torch.manual_seed(0)
    cell = HandwrittenRNN(INPUT, HIDDEN, 4)
    x = torch.randn(BATCH, SEQ, INPUT)
    logits = cell.sequence_logits(x)
    assert logits.shape == (BATCH, 4)
    torch.testing.assert_close(cell.forward_sequence(x), torch.log_softmax(logits, dim=1))
    # Stepping by hand from init_hidden gives the same last-step output.
    hidden = cell.init_hidden(BATCH)
    for t in range(SEQ):
        log_probs, hidden = cell(x[:, t], hidden)
    torch.testing.assert_close(log_probs, torch.log_softmax(logits, dim=1))


def test_handwritten_rnn_nonlinearity_option() -> None:
    torch.manual_seed(0)
    seed_cell = HandwrittenRNN(INPUT, HIDDEN, 2)
    assert seed_cell.nonlinearity is None  # the seed's linear hidden update
    tanh_cell = HandwrittenRNN(INPUT, HIDDEN, 2, nonlinearity="tanh")
    _, hidden = tanh_cell(10 * torch.randn(BATCH, INPUT), tanh_cell.init_hidden(BATCH))
    assert hidden.abs().max() <= 1.0
    with pytest.raises(ValueError, match='nonlinearity must be "tanh" or None'):
        HandwrittenRNN(INPUT, HIDDEN, 2, nonlinearity="relu")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="expects input_size=3"):
        seed_cell.sequence_logits(torch.zeros(BATCH, SEQ, 2))


def test_handwritten_rnn_learns_majority_of_ones() -> None:
    # Toy task: does a binary sequence of odd length hold more ones than zeros? One-hot inputs.
    gen = torch.Generator().manual_seed(0)
    bits = torch.randint(0, 2, (256, 7), generator=gen)
    x = nn.functional.one_hot(bits, 2).float()
    y = (bits.sum(dim=1) > 3).long()
    torch.manual_seed(0)
    model = build_model(ModelConfig(cell="HandRNN", hidden_size=8, num_layers=1), input_size=2, output_size=2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(200):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    with torch.no_grad():
        accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
    assert accuracy > 0.9
