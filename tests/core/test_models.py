"""RecurrentModel shapes, the seeds' parameter tables and heads, and config error messages."""

from __future__ import annotations

import itertools
import re

import pytest
import torch
from torch import nn

from lstm_core.config import ModelConfig
from lstm_core.models import (
    RecurrentClassifier,
    RecurrentModel,
    RecurrentRegressor,
    build_model,
    parameter_table,
)

CELLS = ["RNN", "LSTM", "GRU"]
GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}  # stacked weight blocks per cell type
BATCH, SEQ, HIDDEN = 3, 5, 4

# Seed 001's nn.LSTM arguments: input_size, hidden_size, num_layers, dropout, bidirectional
# (bias is always True and batch_first always True in our model), crossed with both heads.
ARG_COMBOS = [
    (input_size, num_layers, dropout, bidirectional, head)
    for input_size, num_layers, dropout, bidirectional, head in itertools.product(
        [1, 3], [1, 2], [0.0, 0.25], [False, True], ["last", "all"]
    )
    if not (dropout > 0 and num_layers == 1)
]


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize(("input_size", "num_layers", "dropout", "bidirectional", "head"), ARG_COMBOS)
def test_output_shapes(
    cell: str, input_size: int, num_layers: int, dropout: float, bidirectional: bool, head: str
) -> None:
    cfg = ModelConfig(
        cell=cell,  # type: ignore[arg-type]
        input_size=input_size,
        hidden_size=HIDDEN,
        num_layers=num_layers,
        dropout=dropout,
        bidirectional=bidirectional,
        head=head,  # type: ignore[arg-type]
        output_size=2,
        seq_len=SEQ if head == "all" else None,
    )
    model = build_model(cfg, task="classification")
    assert isinstance(model.rnn, {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}[cell])
    assert model.rnn.batch_first and model.rnn.bias
    assert model.rnn.dropout == dropout and model.rnn.bidirectional == bidirectional
    x = torch.randn(BATCH, SEQ, input_size)
    d = 2 if bidirectional else 1
    assert model.sequence_output(x).shape == (BATCH, SEQ, d * HIDDEN)
    assert model(x).shape == (BATCH, 2)
    assert model.head.in_features == d * HIDDEN * (SEQ if head == "all" else 1)


@pytest.mark.parametrize("cell", CELLS)
def test_stacked_gate_sizes(cell: str) -> None:
    model = build_model(ModelConfig(cell=cell, input_size=3, hidden_size=HIDDEN, num_layers=2))  # type: ignore[arg-type]
    gates = GATES[cell] * HIDDEN
    assert model.rnn.weight_ih_l0.shape == (gates, 3)
    assert model.rnn.weight_hh_l0.shape == (gates, HIDDEN)
    assert model.rnn.weight_ih_l1.shape == (gates, HIDDEN)
    assert model.rnn.bias_ih_l0.shape == (gates,)


def test_seed_000_parameter_table() -> None:
    cfg = ModelConfig(cell="LSTM", input_size=28, hidden_size=100, num_layers=1, output_size=10)
    table = parameter_table(build_model(cfg, task="classification"))
    assert list(table.columns) == ["name", "shape", "count"]
    assert list(zip(table["name"], table["shape"], strict=True)) == [
        ("rnn.weight_ih_l0", "[400, 28]"),
        ("rnn.weight_hh_l0", "[400, 100]"),
        ("rnn.bias_ih_l0", "[400]"),
        ("rnn.bias_hh_l0", "[400]"),
        ("head.weight", "[10, 100]"),
        ("head.bias", "[10]"),
        ("total", ""),
    ]
    assert table["count"].iloc[-1] == 53_010
    assert table["count"].iloc[:-1].sum() == 53_010


def test_seed_000_with_two_layers_gains_second_layer_tensors() -> None:
    cfg = ModelConfig(cell="LSTM", input_size=28, hidden_size=100, num_layers=2, output_size=10)
    table = parameter_table(build_model(cfg, task="classification")).set_index("name")
    assert table.loc["rnn.weight_ih_l1", "shape"] == "[400, 100]"
    assert table.loc["rnn.weight_hh_l1", "shape"] == "[400, 100]"
    assert table.loc["rnn.bias_ih_l1", "shape"] == "[400]"
    assert table.loc["rnn.bias_hh_l1", "shape"] == "[400]"
    assert len(table) == 11  # 8 recurrent tensors, 2 head tensors, total
    assert table.loc["total", "count"] == 53_010 + 2 * 400 * 100 + 2 * 400


def test_seed_002_head_reads_all_steps_both_directions() -> None:
    cfg = ModelConfig(
        cell="LSTM",
        input_size=28,
        hidden_size=12,
        num_layers=2,
        bidirectional=True,
        head="all",
        seq_len=28,
        output_size=10,
    )
    model = build_model(cfg, task="classification")
    assert isinstance(model, RecurrentClassifier)
    assert (model.head.in_features, model.head.out_features) == (28 * 12 * 2, 10)
    assert model(torch.randn(2, 28, 28)).shape == (2, 10)


def test_seed_003_head_is_hidden_times_seq_len() -> None:
    n_features, seq_len = 5, 7
    cfg = ModelConfig(
        cell="LSTM", input_size=n_features, hidden_size=8, num_layers=2, head="all", seq_len=seq_len
    )
    model = build_model(cfg)
    assert isinstance(model, RecurrentRegressor)
    assert model.head.weight.shape == (1, 8 * seq_len)
    assert model(torch.randn(BATCH, seq_len, n_features)).shape == (BATCH, 1)


def test_all_head_rejects_wrong_sequence_length() -> None:
    model = build_model(ModelConfig(input_size=2, hidden_size=HIDDEN, head="all", seq_len=7))
    with pytest.raises(ValueError, match='the "all" head was built for seq_len 7, got 5 steps'):
        model(torch.randn(BATCH, 5, 2))


def test_last_head_accepts_any_sequence_length() -> None:
    model = build_model(ModelConfig(input_size=2, hidden_size=HIDDEN))
    assert model(torch.randn(BATCH, 3, 2)).shape == model(torch.randn(BATCH, 9, 2)).shape == (BATCH, 1)


def test_build_model_tasks() -> None:
    cfg = ModelConfig(hidden_size=HIDDEN)
    assert type(build_model(cfg)) is RecurrentRegressor
    assert type(build_model(cfg, task="classification")) is RecurrentClassifier
    assert isinstance(build_model(cfg), RecurrentModel)
    with pytest.raises(ValueError, match="unknown task 'forecast'; valid: regression, classification"):
        build_model(cfg, task="forecast")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hidden_size": 0}, "hidden_size must be a whole number >= 1; got 0"),
        ({"num_layers": 1, "dropout": 0.2}, "dropout only acts between stacked layers"),
        ({"cell": "TRANSFORMER"}, "cell must be one of RNN, LSTM, GRU; got 'TRANSFORMER'"),
        ({"head": "all"}, 'the "all" head needs seq_len'),
        ({"num_layers": 2, "dropout": 1.0}, "dropout must be in [0, 1); got 1.0"),
        ({"head": "first"}, "head must be one of last, all; got 'first'"),
    ],
)
def test_model_config_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        ModelConfig(**kwargs)  # type: ignore[arg-type]


def test_num_directions() -> None:
    assert ModelConfig().num_directions == 1
    assert ModelConfig(bidirectional=True).num_directions == 2
