"""Variable-length sequences through fit(), the task objects and the general sequence classifier."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_core.config import ModelConfig, TrainConfig
from lstm_core.metrics import balanced_accuracy, confusion_matrix, macro_f1, majority_accuracy
from lstm_core.sequence_classification import SequenceDataset, train_sequence_classifier
from lstm_core.tasks import CLASSIFICATION, REGRESSION

TRAIN = TrainConfig(epochs=8, batch_size=32, lr=2e-2, seed=0, device="cpu")


def first_symbol(n: int, seed: int, max_len: int = 12) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Class = the first of a sequence's random one-hot symbols; lengths 2..max_len, zero-padded."""
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(2, max_len + 1, (n,), generator=g)
    symbols = torch.randint(0, 3, (n, max_len), generator=g)
    x = torch.nn.functional.one_hot(symbols, 3).float()
    x[torch.arange(max_len)[None] >= lengths[:, None]] = 0.0
    return x, symbols[:, 0], lengths


def dataset(seed: int = 0) -> SequenceDataset:
    return SequenceDataset(first_symbol(384, seed), first_symbol(96, seed + 1), first_symbol(96, seed + 2),
                           ("a", "b", "c"), name="first symbol")


# The seed's linear hand-written RNN remembers less over 12 steps than a gated cell; chance is 1/3.
@pytest.mark.parametrize(("cell", "at_least"), [("GRU", 0.9), ("HandRNN", 0.55)])
def test_padded_sequences_with_lengths_train_in_batches(cell: str, at_least: float) -> None:
    cfg = ModelConfig(cell=cell, hidden_size=16, num_layers=1)  # type: ignore[arg-type]
    result = train_sequence_classifier(dataset(), cfg, TRAIN)
    assert result.accuracy > at_least, result.accuracy
    assert result.probabilities.shape == (96, 3)
    np.testing.assert_allclose(result.probabilities.sum(1), 1.0, rtol=1e-5)
    assert result.confusion.sum() == 96 and 0.25 < result.majority_accuracy < 0.5
    assert result.macro_f1 == pytest.approx(macro_f1(result.confusion))
    last = result.history.epochs[-1].metrics
    assert {"train_accuracy", "val_accuracy", "test_loss", "test_accuracy"} <= set(last)


def test_the_same_seed_repeats_a_run_exactly() -> None:
    cfg = ModelConfig(cell="LSTM", hidden_size=8, num_layers=1)
    short = TrainConfig(epochs=2, batch_size=64, lr=1e-2, seed=3, device="cpu")
    a, b = (train_sequence_classifier(dataset(), cfg, short) for _ in range(2))
    np.testing.assert_array_equal(a.probabilities, b.probabilities)


def test_dataset_and_lengths_are_checked() -> None:
    x, y, lengths = first_symbol(8, 0)
    with pytest.raises(ValueError, match="labels must be 0 to 1"):
        SequenceDataset((x, y, lengths), None, (x, y, lengths), ("a", "b"))
    with pytest.raises(ValueError, match="same features"):
        SequenceDataset((x, y, lengths), None, (x[:, :, :2], y, lengths), ("a", "b", "c"))
    bad = SequenceDataset((x, y, lengths.clone().fill_(99)), None, (x, y, lengths), ("a", "b", "c"))
    with pytest.raises(ValueError, match="lengths must be"):
        train_sequence_classifier(bad, ModelConfig(hidden_size=4, num_layers=1), TRAIN)


def test_tasks_carry_their_loss_metrics_and_reading() -> None:
    out, y = torch.tensor([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0]]), torch.tensor([0, 1, 1])
    assert CLASSIFICATION.metrics(out, y) == {"accuracy": pytest.approx(2 / 3)}
    torch.testing.assert_close(CLASSIFICATION.read(out).sum(1), torch.ones(3))
    assert REGRESSION.metrics(out, out) == {} and REGRESSION.correct(out, out) is None
    assert float(REGRESSION.loss_function()(torch.zeros(2, 1), torch.ones(2, 1))) == 1.0


def test_imbalance_aware_scores() -> None:
    # 8 of class 0, 2 of class 1; the majority guess is 80 % accurate but poor on balance.
    truth, guess = np.array([0] * 8 + [1] * 2), np.zeros(10, dtype=int)
    cm = confusion_matrix(truth, guess, 2)
    assert majority_accuracy(truth, truth) == 0.8
    assert balanced_accuracy(cm) == 0.5
    assert macro_f1(cm) == pytest.approx((2 * 8 / 18 + 0.0) / 2)
    perfect = confusion_matrix(truth, truth, 2)
    assert balanced_accuracy(perfect) == macro_f1(perfect) == 1.0


def test_one_job_trains_several_models_in_turn_with_their_records_apart() -> None:
    from lstm_core.jobs import TrainingJob
    from lstm_core.sequence_classification import train_in_turn

    models = {"RNN": ModelConfig(cell="RNN", hidden_size=4, num_layers=1),
              "GRU": ModelConfig(cell="GRU", hidden_size=4, num_layers=1)}
    short = TrainConfig(epochs=2, batch_size=64, seed=0, device="cpu")
    job = TrainingJob(train_in_turn, (dataset(), models, short), name="test").start()
    assert job.join(120)
    snap = job.snapshot()
    assert snap.status == "done", snap.error
    assert list(snap.run_ids) == ["RNN", "GRU"] and set(snap.result) == {"RNN", "GRU"}
    for label in models:
        run = snap.runs[label]
        assert [e.epoch for e in run.epochs] == [1, 2] and run.history is not None
        assert snap.result[label].history.train_loss == [e.train_loss for e in run.epochs]
