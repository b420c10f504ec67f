"""Seed 004's hand-written RNN: shapes, log-probabilities, its options, and that it learns."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lstm_core.cells import HandwrittenRNN
from lstm_core.config import ModelConfig
from lstm_core.models import build_model

INPUT, HIDDEN, BATCH = 3, 5, 2


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



def test_handwritten_rnn_nonlinearity_option() -> None:
    torch.manual_seed(0)
    seed_cell = HandwrittenRNN(INPUT, HIDDEN, 2)
    assert seed_cell.nonlinearity is None  # the seed's linear hidden update
    tanh_cell = HandwrittenRNN(INPUT, HIDDEN, 2, nonlinearity="tanh")
    _, hidden = tanh_cell(10 * torch.randn(BATCH, INPUT), tanh_cell.init_hidden(BATCH))
    assert hidden.abs().max() <= 1.0
    with pytest.raises(ValueError, match='nonlinearity must be "tanh" or None'):
        HandwrittenRNN(INPUT, HIDDEN, 2, nonlinearity="relu")  # type: ignore[arg-type]


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
