"""The model registry: shapes, the seeds' parameter tables and heads, lengths, forget bias, size cap."""

from __future__ import annotations

import itertools
import re

import pytest
import torch
from torch import nn

from lstm_core.config import CELL_TYPES, ModelConfig
from lstm_core.models import (
    MAX_PARAMETERS,
    MODEL_KINDS,
    HandRNNModel,
    RecurrentModel,
    build_model,
    count_parameters,
    parameter_count,
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


def _build(cfg: ModelConfig, input_size: int = 28, output_size: int = 10, seq_len: int | None = 28
           ) -> nn.Module:
    return build_model(cfg, input_size=input_size, output_size=output_size, seq_len=seq_len)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize(("input_size", "num_layers", "dropout", "bidirectional", "head"), ARG_COMBOS)
def test_output_shapes(
    cell: str, input_size: int, num_layers: int, dropout: float, bidirectional: bool, head: str
) -> None:
    cfg = ModelConfig(
        cell=cell,  # type: ignore[arg-type]
        hidden_size=HIDDEN,
        num_layers=num_layers,
        dropout=dropout,
        bidirectional=bidirectional,
        head=head,  # type: ignore[arg-type]
    )
    model = _build(cfg, input_size, 2, SEQ if head == "all" else None)
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
    model = _build(ModelConfig(cell=cell, hidden_size=HIDDEN, num_layers=2), 3, 1)  # type: ignore[arg-type]
    gates = GATES[cell] * HIDDEN
    assert model.rnn.weight_ih_l0.shape == (gates, 3)
    assert model.rnn.weight_hh_l0.shape == (gates, HIDDEN)
    assert model.rnn.weight_ih_l1.shape == (gates, HIDDEN)
    assert model.rnn.bias_ih_l0.shape == (gates,)


def test_seed_000_parameter_table() -> None:
    cfg = ModelConfig(cell="LSTM", hidden_size=100, num_layers=1)
    table = parameter_table(_build(cfg))
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
    cfg = ModelConfig(cell="LSTM", hidden_size=100, num_layers=2)
    table = parameter_table(_build(cfg)).set_index("name")
    assert table.loc["rnn.weight_ih_l1", "shape"] == "[400, 100]"
    assert table.loc["rnn.weight_hh_l1", "shape"] == "[400, 100]"
    assert table.loc["rnn.bias_ih_l1", "shape"] == "[400]"
    assert table.loc["rnn.bias_hh_l1", "shape"] == "[400]"
    assert len(table) == 11  # 8 recurrent tensors, 2 head tensors, total
    assert table.loc["total", "count"] == 53_010 + 2 * 400 * 100 + 2 * 400


def test_seed_002_head_reads_all_steps_both_directions() -> None:
    cfg = ModelConfig(cell="LSTM", hidden_size=12, num_layers=2, bidirectional=True, head="all")
    model = _build(cfg)
    assert isinstance(model, RecurrentModel)
    assert (model.head.in_features, model.head.out_features) == (28 * 12 * 2, 10)
    assert model(torch.randn(2, 28, 28)).shape == (2, 10)


def test_seed_003_head_is_hidden_times_seq_len() -> None:
    n_features, seq_len = 5, 7
    cfg = ModelConfig(cell="LSTM", hidden_size=8, num_layers=2, head="all")
    model = _build(cfg, n_features, 1, seq_len)
    assert model.head.weight.shape == (1, 8 * seq_len)
    assert model(torch.randn(BATCH, seq_len, n_features)).shape == (BATCH, 1)


def test_all_head_rejects_wrong_sequence_length() -> None:
    model = _build(ModelConfig(hidden_size=HIDDEN, head="all"), 2, 1, 7)
    with pytest.raises(ValueError, match='the "all" head was built for seq_len 7, got 5 steps'):
        model(torch.randn(BATCH, 5, 2))


def test_last_head_accepts_any_sequence_length() -> None:
    model = _build(ModelConfig(hidden_size=HIDDEN), 2, 1, None)
    assert model(torch.randn(BATCH, 3, 2)).shape == model(torch.randn(BATCH, 9, 2)).shape == (BATCH, 1)


def test_registry_builds_every_cell_type() -> None:
    assert set(MODEL_KINDS) == set(CELL_TYPES) == {"RNN", "LSTM", "GRU", "HandRNN"}
    for cell in CELL_TYPES:
        cfg = ModelConfig(cell=cell, hidden_size=HIDDEN, num_layers=1)  # type: ignore[arg-type]
        model = _build(cfg, 3, 2, None)
        assert (model.input_size, model.output_size) == (3, 2)
        assert model(torch.randn(BATCH, SEQ, 3)).shape == (BATCH, 2)
        assert count_parameters(cfg, input_size=3, output_size=2) == parameter_count(model)
        assert parameter_count(model) == sum(p.numel() for p in model.parameters())


def test_hand_rnn_is_seed_004s_cell_exactly() -> None:
    torch.manual_seed(0)
    model = _build(ModelConfig(cell="HandRNN", hidden_size=HIDDEN, num_layers=1), 3, 2, None)
    assert isinstance(model, HandRNNModel) and model.head is model.cell.i2o
    assert model.cell.nonlinearity is None  # the seed applies none to the new hidden state
    x = torch.randn(BATCH, SEQ, 3)
    hidden = model.cell.init_hidden(BATCH)  # the seed's loop: one character at a time
    for t in range(SEQ):
        log_probs, hidden = model.cell(x[:, t], hidden)
    torch.testing.assert_close(torch.log_softmax(model(x), 1), log_probs)
    assert [n for n, _ in model.named_parameters()] == ["cell.i2h.weight", "cell.i2h.bias",
                                                        "cell.i2o.weight", "cell.i2o.bias"]


@pytest.mark.parametrize("kwargs", [{"num_layers": 2}, {"num_layers": 1, "bidirectional": True},
                                    {"num_layers": 1, "head": "all"}])
def test_hand_rnn_refuses_what_the_seed_cell_cannot_be(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="HandRNN"):
        ModelConfig(cell="HandRNN", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("cell", ["RNN", "LSTM", "GRU", "HandRNN"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_lengths_read_each_sequence_at_its_own_last_step(cell: str, bidirectional: bool) -> None:
    if cell == "HandRNN" and bidirectional:
        pytest.skip("the hand-written RNN reads one way")
    torch.manual_seed(0)
    cfg = ModelConfig(cell=cell, hidden_size=HIDDEN, num_layers=1, bidirectional=bidirectional)  # type: ignore[arg-type]
    model = _build(cfg, 3, 2, None).eval()
    lengths = torch.tensor([5, 2, 3])
    x = torch.randn(3, 5, 3)
    x[torch.arange(5)[None] >= lengths[:, None]] = 0.0  # zero padding past each length
    batched = model(x, lengths)
    for i, n in enumerate(lengths.tolist()):  # each sequence alone, unpadded
        torch.testing.assert_close(batched[i], model(x[i : i + 1, :n])[0], atol=1e-6, rtol=1e-5)
    out = model.sequence_output(x, lengths)
    assert out.shape == (3, 5, HIDDEN * (2 if bidirectional else 1)) and not out[1, 2:].any()


def test_forget_bias_opens_the_forget_gate_at_the_start() -> None:
    h = HIDDEN
    model = _build(ModelConfig(cell="LSTM", hidden_size=h, num_layers=2, forget_bias=3.0), 3, 1, None)
    for layer in range(2):
        b_ih, b_hh = getattr(model.rnn, f"bias_ih_l{layer}"), getattr(model.rnn, f"bias_hh_l{layer}")
        assert torch.equal(b_ih[h : 2 * h] + b_hh[h : 2 * h], torch.full((h,), 3.0))
    torch.manual_seed(0)
    default = _build(ModelConfig(cell="LSTM", hidden_size=h, num_layers=1, forget_bias=None), 3, 1, None)
    torch.manual_seed(0)
    plain = nn.LSTM(3, h, batch_first=True)
    torch.testing.assert_close(default.rnn.bias_hh_l0, plain.bias_hh_l0)  # None: torch's own init


def test_model_size_is_capped_before_anything_is_built() -> None:
    huge = ModelConfig(cell="LSTM", hidden_size=4096, num_layers=16, bidirectional=True)
    n = count_parameters(huge, input_size=1, output_size=1)  # on the meta device: no memory used
    assert n > 1e9
    with pytest.raises(ValueError, match=re.escape(f"{n:,} parameters")) as info:
        build_model(huge, input_size=1, output_size=1)
    assert f"{MAX_PARAMETERS:,}" in str(info.value)
    with pytest.raises(ValueError, match="input_size must be a whole number >= 1"):
        build_model(ModelConfig(), input_size=0, output_size=1)
    with pytest.raises(ValueError, match='the "all" head needs the sequence length'):
        build_model(ModelConfig(head="all"), input_size=1, output_size=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hidden_size": 0}, "hidden_size must be a whole number >= 1; got 0"),
        ({"num_layers": 1, "dropout": 0.2}, "dropout only acts between stacked layers"),
        ({"cell": "TRANSFORMER"}, "cell must be one of RNN, LSTM, GRU, HandRNN; got 'TRANSFORMER'"),
        ({"forget_bias": 50.0}, "forget_bias must be between -20 and 20"),
        ({"num_layers": 2, "dropout": 1.0}, "dropout must be in [0, 1); got 1.0"),
        ({"head": "first"}, "head must be one of last, all, mean, max; got 'first'"),
    ],
)
def test_model_config_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        ModelConfig(**kwargs)  # type: ignore[arg-type]
    assert info.value.field in kwargs  # type: ignore[attr-defined]  # names the field: no text parsing


def test_num_directions() -> None:
    assert ModelConfig().num_directions == 1
    assert ModelConfig(bidirectional=True).num_directions == 2
