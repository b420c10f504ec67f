"""Seed 004's surname task: the hand-written RNN against nn.RNN, training, reading beliefs, run files, CLI."""

from __future__ import annotations

import argparse
import io
import json
from dataclasses import replace

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_core import cli_surnames
from lstm_core.cells import HandwrittenRNN
from lstm_core.config import ModelConfig, TrainConfig
from lstm_core.data.surnames import N_LETTERS, SurnameInputError, encode_names, load_surnames, split_surnames
from lstm_core.persistence import load_run, make_record, save_run
from lstm_core.surnames import (
    MODELS,
    SEED_004,
    TRAIN,
    class_summary,
    load_surname_model,
    name_probabilities,
    names_per_second,
    scores,
    surname_dataset,
    surname_record,
    top_languages,
    train_surnames,
)

NAMES = ["Nakamura", "O'Brien", "Kowalski", "Li", "van der Berg", "Papadopoulos"]
TINY = TrainConfig(epochs=2, batch_size=32, lr=1e-2, seed=0, device="cpu")


@pytest.fixture(scope="module")
def small_split(tmp_path_factory):
    """Three well-separated languages, 40 names each, from the bundled file."""
    table = load_surnames()
    rows = ["name,language"]
    for language in ("Greek", "Japanese", "Russian"):
        k = table.languages.index(language)
        rows += [f"{name},{language}" for name in np.array(table.names)[table.labels == k][:40]]
    path = tmp_path_factory.mktemp("surnames") / "small.csv"
    path.write_text("\n".join(rows) + "\n")
    return split_surnames(load_surnames(path), val_fraction=0.15, test_fraction=0.25, seed=0)


def hand_from_torch(rnn: nn.RNN) -> HandwrittenRNN:
    """Seed 004's cell carrying an nn.RNN's weights: i2h([x, h]) = W_ih x + W_hh h + (b_ih + b_hh)."""
    hand = HandwrittenRNN(rnn.input_size, rnn.hidden_size, output_size=3, nonlinearity="tanh")
    with torch.no_grad():
        hand.i2h.weight.copy_(torch.cat([rnn.weight_ih_l0, rnn.weight_hh_l0], dim=1))
        hand.i2h.bias.copy_(rnn.bias_ih_l0 + rnn.bias_hh_l0)
    return hand


def test_hand_written_rnn_with_nn_rnn_weights_gives_nn_rnn_outputs_on_names() -> None:
    torch.manual_seed(0)
    rnn = nn.RNN(N_LETTERS, 128, num_layers=1, nonlinearity="tanh", batch_first=True)
    hand = hand_from_torch(rnn)
    x, lengths = encode_names(NAMES)
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    expected, h_n = rnn(packed)
    expected = pad_packed_sequence(expected, batch_first=True)[0]
    h, states = hand.init_hidden(len(NAMES)), []
    for t in range(x.shape[1]):
        _, h = hand.step(x[:, t], h)
        states.append(h)
    got = torch.stack(states, dim=1)
    for i, n in enumerate(lengths.tolist()):  # each name compared over its own characters
        torch.testing.assert_close(got[i, :n], expected[i, :n], atol=1e-6, rtol=0)
        torch.testing.assert_close(got[i, n - 1], h_n[0, i], atol=1e-6, rtol=0)


def test_i2h_on_the_concatenation_is_w_ih_x_plus_w_hh_h_plus_b() -> None:
    torch.manual_seed(1)
    rnn = nn.RNN(N_LETTERS, 8, batch_first=True)
    hand = hand_from_torch(rnn)
    x, h = torch.randn(4, N_LETTERS), torch.randn(4, 8)
    by_parts = x @ rnn.weight_ih_l0.T + h @ rnn.weight_hh_l0.T + rnn.bias_ih_l0 + rnn.bias_hh_l0
    torch.testing.assert_close(hand.i2h(torch.cat([x, h], dim=1)), by_parts, atol=1e-6, rtol=0)


def test_dataset_is_padded_one_hot_with_lengths(small_split) -> None:
    data = surname_dataset(small_split)
    x, y, lengths = data.train
    assert data.classes == ("Greek", "Japanese", "Russian")
    assert x.shape == (len(small_split.train.names), data.seq_len, N_LETTERS) and x.dtype == torch.float32
    assert y.dtype == torch.int64 and lengths.dtype == torch.int64
    assert x.sum(dim=(1, 2)).tolist() == lengths.float().tolist()  # one 1 per character, zeros after
    assert all(part[0].shape[1] == data.seq_len for part in (data.train, data.val, data.test))


@pytest.mark.parametrize("cell", ["RNN", "LSTM", "GRU", "HandRNN"])
def test_every_kind_trains_and_is_judged_beside_the_majority_baseline(small_split, cell) -> None:
    result = train_surnames(ModelConfig(cell=cell, hidden_size=12, num_layers=1), TINY, small_split)
    s = scores(result)
    assert set(s) == {"accuracy", "macro_f1", "balanced_accuracy", "majority_accuracy", "majority_macro_f1"}
    assert all(0.0 <= v <= 1.0 for v in s.values())
    assert s["majority_accuracy"] == pytest.approx(1 / 3)  # three classes of 10 test names
    assert s["majority_macro_f1"] == pytest.approx((2 * (1 / 3) / (1 + 1 / 3)) / 3)  # F1 0.5 for one class
    assert result.confusion.shape == (3, 3) and result.confusion.sum() == 30
    assert result.probabilities.shape == (30, 3)
    assert names_per_second(result) > 0


def test_a_gru_learns_greek_japanese_russian_well_above_the_baseline(small_split) -> None:
    cfg = TrainConfig(epochs=8, batch_size=16, lr=1e-2, seed=0, device="cpu")
    result = train_surnames(ModelConfig(cell="GRU", hidden_size=16, num_layers=1), cfg, small_split)
    assert result.accuracy >= 0.8 and result.macro_f1 >= 0.8 > result.majority_accuracy + 0.4


def test_beliefs_after_each_character_end_on_the_full_reading(small_split) -> None:
    result = train_surnames(ModelConfig(cell="LSTM", hidden_size=8, num_layers=1), TINY, small_split)
    name, probs = name_probabilities(result.model, "  Ivánov ")
    assert name == "Ivanov" and probs.shape == (6, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    x, lengths = encode_names([name])
    with torch.no_grad():
        full = torch.softmax(result.model(x, lengths), dim=1)[0].numpy()
    np.testing.assert_allclose(probs[-1], full, atol=1e-6)
    # after one character the model has read only "I": the same as reading the name "I"
    np.testing.assert_allclose(probs[0], name_probabilities(result.model, "I")[1][0], atol=1e-6)
    read, top = top_languages(result.model, result.dataset.classes, "Ivanov")
    assert read == "Ivanov" and len(top) == 3
    assert [p for _, p in top] == sorted((p for _, p in top), reverse=True)
    assert {language for language, _ in top} == {"Greek", "Japanese", "Russian"}
    with pytest.raises(SurnameInputError, match="cannot read: '7'"):
        top_languages(result.model, result.dataset.classes, "Ivanov7")


def test_hand_rnn_beliefs_use_only_the_characters_read(small_split) -> None:
    result = train_surnames(MODELS["HandRNN"], TINY, small_split)
    _, probs = name_probabilities(result.model, "Sato")
    np.testing.assert_allclose(probs[1], name_probabilities(result.model, "Sa")[1][-1], atol=1e-6)


def test_run_record_round_trip_predicts_the_same(small_split) -> None:
    result = train_surnames(ModelConfig(cell="GRU", hidden_size=8, num_layers=1), TINY, small_split)
    buffer = io.BytesIO()
    save_run(surname_record(result, split_seed=0), buffer)
    loaded = load_surname_model(load_run(buffer.getvalue()))
    assert loaded.languages == ("Greek", "Japanese", "Russian")
    assert loaded.record.metrics["macro_f1"] == pytest.approx(result.macro_f1)
    np.testing.assert_allclose(
        name_probabilities(loaded.model, "Tanaka")[1],
        name_probabilities(result.model, "Tanaka")[1],
        atol=1e-6,
    )
    other = make_record(
        "sequence-classifier", result.model, result.model_cfg, result.train_cfg, result.history
    )
    with pytest.raises(ValueError, match="not a surname classifier"):
        load_surname_model(other)


def test_seed_preset_trains_one_name_per_step_and_counts_names_per_second(small_split) -> None:
    model_cfg, train_cfg = SEED_004
    cfg = replace(train_cfg, max_steps=20)
    result = train_surnames(replace(model_cfg, hidden_size=8), cfg, small_split)
    assert result.history.epochs[-1].step == 20
    assert names_per_second(result) * result.history.elapsed == pytest.approx(20)


def test_presets_and_summary() -> None:
    model_cfg, train_cfg = SEED_004
    assert (model_cfg.cell, model_cfg.hidden_size, model_cfg.num_layers) == ("HandRNN", 128, 1)
    assert (train_cfg.batch_size, train_cfg.optimizer, train_cfg.lr, train_cfg.grad_clip) == (
        1,
        "sgd",
        0.005,
        None,
    )
    assert set(MODELS) == {"RNN", "LSTM", "GRU", "HandRNN"} and TRAIN.batch_size > 1
    table = load_surnames()
    info = class_summary(split_surnames(table))
    assert info["counts"] == table.counts() and info["largest"] == "Polish"
    assert info["train"] + info["val"] + info["test"] == len(table.names)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    cli_surnames.add_parser(parser.add_subparsers(dest="command"))
    return parser


def test_cli_trains_writes_a_run_and_predicts(tmp_path, capsys) -> None:
    out, summary = tmp_path / "run.pt", tmp_path / "out.json"
    args = _parser().parse_args(["surnames", "--model", "RNN", "--hidden-size", "8", "--epochs", "1",
                                 "--batch-size", "256", "--out", str(out), "--summary", str(summary),
                                 "--no-progress"])  # fmt: skip
    cli_surnames.run(args)
    printed = capsys.readouterr().out
    assert "accuracy" in printed and "macro-F1" in printed and "majority class" in printed
    data = json.loads(summary.read_text())
    assert data["model"] == "RNN" and 0 <= data["metrics"]["macro_f1"] <= 1
    assert data["data"]["counts"]["Polish"] > 1000
    cli_surnames.run(_parser().parse_args(["surnames", "predict", "--run", str(out), "Nakamura", "Müller"]))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Nakamura: ") and lines[0].count("%") == 3
    assert lines[1].startswith("Müller (read as Muller): ")
    with pytest.raises(ValueError, match="cannot read: '3'"):
        cli_surnames.run(_parser().parse_args(["surnames", "predict", "--run", str(out), "Smith3"]))


def test_cli_refuses_bad_settings_and_other_run_files(tmp_path) -> None:
    with pytest.raises(ValueError, match="--out"):  # a folder: refused before any training
        cli_surnames.run(_parser().parse_args(["surnames", "--out", str(tmp_path), "--no-progress"]))
    with pytest.raises(ValueError, match="hidden_size"):
        cli_surnames.configs(_parser().parse_args(["surnames", "--hidden-size", "0"]))
    model_cfg, train_cfg = cli_surnames.configs(_parser().parse_args(["surnames", "--model", "seed004"]))
    assert (model_cfg, train_cfg) == SEED_004
    with pytest.raises(ValueError):
        cli_surnames.run(
            _parser().parse_args(["surnames", "predict", "--run", str(tmp_path / "none.pt"), "Li"])
        )
