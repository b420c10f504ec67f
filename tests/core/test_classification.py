"""The MNIST classification pipeline and presets, on tiny models and a slice of the real subset."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from lstm_core.augment import DigitJitter
from lstm_core.classification import (
    belief_method,
    correct_examples,
    hardest_mistakes,
    reading_beliefs,
    split_validation,
    train_classifier,
)
from lstm_core.config import MnistDataConfig, ModelConfig, TrainConfig
from lstm_core.data.mnist import MnistData, load_mnist_subset
from lstm_core.mnist_presets import DEFAULT_PRESET, PRESETS, SEED_000, SEED_002, epochs_for_steps
from lstm_core.models import build_model, parameter_table

TINY_TRAIN = TrainConfig(epochs=2, batch_size=50, lr=5e-3, seed=0)


@pytest.fixture(scope="module")
def small_data() -> MnistData:
    data = load_mnist_subset(MnistDataConfig(train_limit=300))
    # a fifth of the held-out digits keeps the test fast; the classes stay mixed
    return replace(data, test_x=data.test_x[:200], test_y=data.test_y[:200])


@pytest.mark.parametrize("cell", ["RNN", "LSTM", "GRU"])
def test_train_classifier_judges_the_held_out_digits(small_data: MnistData, cell: str):
    result = train_classifier(small_data, ModelConfig(cell=cell, hidden_size=8, num_layers=1), TINY_TRAIN)
    n_test = len(small_data.test_y)
    assert (result.model.input_size, result.model.output_size) == (28, 10)
    assert result.probabilities.shape == (n_test, 10)
    np.testing.assert_allclose(result.probabilities.sum(1), 1.0, atol=1e-5)
    assert result.predictions.shape == (n_test,)
    assert result.confusion.shape == (10, 10) and result.confusion.sum() == n_test
    assert result.accuracy == pytest.approx(np.trace(result.confusion) / n_test)
    assert result.per_class.shape == (10,)
    losses = result.history.train_loss
    assert losses[1] < losses[0]  # it learns
    metrics = result.history.epochs[-1].metrics
    assert set(metrics) == {"train_accuracy", "val_accuracy", "test_loss", "test_accuracy"}
    assert metrics["test_accuracy"] == pytest.approx(result.accuracy)  # the last epoch is the best here
    assert len(result.history.epochs) == 2
    assert result.n_train + result.n_val == len(small_data.train_y) and result.n_val == 30


def test_validation_digits_pick_the_epoch_and_the_test_digits_choose_nothing(small_data: MnistData):
    model_cfg = ModelConfig(hidden_size=8, num_layers=1)
    cfg = replace(TINY_TRAIN, epochs=4, lr=3e-2)
    result = train_classifier(small_data, model_cfg, cfg)
    h = result.history
    assert h.best_loss == min(h.val_loss) and h.val_loss[h.best_epoch - 1] == h.best_loss
    # Different test digits change the test scores but never which epoch is kept.
    half = len(small_data.test_y) // 2
    fewer = replace(small_data, test_x=small_data.test_x[:half], test_y=small_data.test_y[:half])
    other = train_classifier(fewer, model_cfg, cfg)
    assert other.history.best_epoch == h.best_epoch and other.history.val_loss == h.val_loss
    test_losses = [[e.metrics["test_loss"] for e in run.history.epochs] for run in (result, other)]
    assert test_losses[0] != test_losses[1]


def test_validation_split_is_stratified_disjoint_and_checked(small_data: MnistData):
    fit_idx, val_idx = split_validation(small_data.train_y, 0.2, seed=3)
    assert len(set(fit_idx.tolist()) | set(val_idx.tolist())) == len(small_data.train_y)
    assert not set(fit_idx.tolist()) & set(val_idx.tolist())
    counts = np.bincount(small_data.train_y[val_idx].numpy(), minlength=10)
    expected = np.round(np.bincount(small_data.train_y.numpy(), minlength=10) * 0.2)
    np.testing.assert_array_equal(counts, expected)
    assert len(split_validation(small_data.train_y, 0.2, seed=4)[1]) == len(val_idx)  # counts ignore the seed
    assert len(split_validation(small_data.train_y, 0.0, seed=3)[1]) == 0
    with pytest.raises(ValueError, match=r"val_fraction must be in \[0, 0.5\]"):
        split_validation(small_data.train_y, 0.6, seed=0)


def test_without_validation_the_training_loss_picks_the_epoch(small_data: MnistData):
    model_cfg = ModelConfig(hidden_size=6, num_layers=1)
    result = train_classifier(small_data, model_cfg, TINY_TRAIN, val_fraction=0.0)
    assert result.n_val == 0 and result.n_train == len(small_data.train_y)
    assert all(e.val_loss is None and "test_accuracy" in e.metrics for e in result.history.epochs)
    assert result.history.best_loss == min(result.history.train_loss)


def test_eval_every_records_points_like_seed_000(small_data: MnistData):
    cfg = replace(TINY_TRAIN, epochs=3, max_steps=10, eval_every=4)  # 6 steps per epoch
    result = train_classifier(small_data, ModelConfig(hidden_size=8, num_layers=1), cfg)
    assert [p.step for p in result.history.evals] == [4, 8]
    assert all({"val_accuracy", "test_accuracy"} <= set(p.metrics) for p in result.history.evals)
    assert result.history.stop_reason == "max_steps"


def test_same_seed_repeats_exactly(small_data: MnistData):
    model_cfg = ModelConfig(hidden_size=6, num_layers=1)
    a = train_classifier(small_data, model_cfg, replace(TINY_TRAIN, epochs=1))
    b = train_classifier(small_data, model_cfg, replace(TINY_TRAIN, epochs=1))
    np.testing.assert_array_equal(a.probabilities, b.probabilities)


def test_stop_before_start_keeps_a_usable_model(small_data: MnistData):
    import threading

    stop = threading.Event()
    stop.set()
    result = train_classifier(small_data, ModelConfig(hidden_size=6, num_layers=1), TINY_TRAIN, stop=stop)
    assert result.history.stop_reason == "stopped"
    assert result.probabilities.shape == (len(small_data.test_y), 10)


def test_wrong_image_shape_is_a_clear_error(small_data: MnistData):
    bad = replace(small_data, train_x=small_data.train_x[:, :, :14])
    with pytest.raises(ValueError, match=r"train digits must be \(N, 28, 28\)"):
        train_classifier(bad, ModelConfig(hidden_size=4, num_layers=1), TINY_TRAIN)


def _model(**kw) -> torch.nn.Module:
    torch.manual_seed(0)
    return build_model(ModelConfig(hidden_size=6, **kw), input_size=28, output_size=10, seq_len=28)


@pytest.mark.parametrize(
    ("kw", "default"),
    [
        ({"num_layers": 1}, "stepwise"),
        ({"num_layers": 1, "bidirectional": True}, "masked"),
        ({"num_layers": 2, "head": "all", "bidirectional": True}, "masked"),
        ({"num_layers": 1, "head": "all", "cell": "GRU"}, "masked"),
    ],
)
def test_reading_beliefs_shape_and_sums(kw: dict, default: str):
    model = _model(**kw)
    assert belief_method(model.cfg) == default
    digit = torch.rand(28, 28)
    beliefs = reading_beliefs(model, digit)
    assert beliefs.shape == (28, 10)
    np.testing.assert_allclose(beliefs.sum(1), 1.0, atol=1e-5)
    masked = reading_beliefs(model, digit, "masked")
    assert masked.shape == (28, 10)
    np.testing.assert_allclose(masked.sum(1), 1.0, atol=1e-5)


def test_both_methods_agree_on_the_whole_digit_and_stepwise_is_causal():
    model = _model(num_layers=1)
    digit = torch.rand(28, 28)
    stepwise = reading_beliefs(model, digit, "stepwise")
    masked = reading_beliefs(model, digit, "masked")
    full = torch.softmax(model(digit[None]), 1).detach().numpy()[0]
    np.testing.assert_allclose(stepwise[-1], full, atol=1e-5)
    np.testing.assert_allclose(masked[-1], full, atol=1e-5)
    # after t rows a one-way model has not seen the later rows: changing them changes nothing before
    changed = digit.clone()
    changed[20:] = 1.0
    np.testing.assert_allclose(reading_beliefs(model, changed, "stepwise")[:20], stepwise[:20], atol=1e-6)


def test_stepwise_is_refused_where_it_is_undefined():
    with pytest.raises(ValueError, match='"stepwise" beliefs need a one-way model'):
        reading_beliefs(_model(num_layers=1, bidirectional=True), torch.rand(28, 28), "stepwise")
    with pytest.raises(ValueError, match="unknown method"):
        reading_beliefs(_model(num_layers=1), torch.rand(28, 28), "sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"a digit must be \(28, 28\)"):
        reading_beliefs(_model(num_layers=1), torch.rand(27, 28))


def test_hardest_mistakes_and_correct_examples():
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.7, 0.3], [0.05, 0.95]])
    probs = np.pad(probs, ((0, 0), (0, 8)))
    labels = np.array([0, 0, 0, 1, 1])
    # wrong: 1 (0.8 sure of 1), 2 (0.6), 3 (0.7) -> most confident first
    assert hardest_mistakes(probs, labels).tolist() == [1, 3, 2]
    assert hardest_mistakes(probs, labels, n=1).tolist() == [1]
    assert correct_examples(probs, labels).tolist() == [0, 4]


def test_presets_reproduce_the_seeds():
    assert DEFAULT_PRESET in PRESETS and set(PRESETS) == {"Recommended", "Seed 000", "Seed 002"}
    s0 = SEED_000
    m0 = s0.model
    assert (m0.cell, m0.hidden_size, m0.num_layers, m0.head) == ("LSTM", 100, 1, "last")
    assert not s0.model.bidirectional
    assert (s0.train.optimizer, s0.train.lr, s0.train.batch_size) == ("sgd", 0.1, 100)
    assert (s0.train.max_steps, s0.train.eval_every) == (3000, 500)
    table = parameter_table(build_model(s0.model, input_size=28, output_size=10))
    assert table["shape"].tolist()[:6] == ["[400, 28]", "[400, 100]", "[400]", "[400]", "[10, 100]", "[10]"]
    s2 = SEED_002
    assert (s2.model.cell, s2.model.hidden_size, s2.model.num_layers, s2.model.head) == ("LSTM", 12, 2, "all")
    assert s2.model.bidirectional
    assert (s2.train.optimizer, s2.train.lr, s2.train.batch_size, s2.train.epochs) == ("adam", 5e-3, 128, 11)
    head = build_model(s2.model, input_size=28, output_size=10, seq_len=28).head
    assert (head.in_features, head.out_features) == (28 * 12 * 2, 10)


def test_step_budget_sets_the_epochs():
    assert epochs_for_steps(3000, 60_000, 100) == 5  # seed 000 on full MNIST
    assert epochs_for_steps(3000, 4_000, 100) == 75  # on the subset's 4,000 training digits
    assert SEED_000.train_for(4_000).epochs == 75
    assert SEED_002.train_for(4_000) is SEED_002.train
    with pytest.raises(ValueError, match="n_train must be >= 1"):
        epochs_for_steps(10, 0, 5)


def test_label_smoothing_and_jitter_reach_training_and_are_recorded(small_data: MnistData):
    model_cfg = ModelConfig(cell="GRU", hidden_size=6, num_layers=1, head="mean")
    cfg = replace(TINY_TRAIN, epochs=1)
    plain = train_classifier(small_data, model_cfg, cfg)
    smooth = train_classifier(small_data, model_cfg, cfg, label_smoothing=0.2)
    moved = train_classifier(small_data, model_cfg, cfg, augment=DigitJitter(seed=0))
    assert (plain.label_smoothing, plain.augment) == (0.0, None)
    assert smooth.label_smoothing == 0.2 and moved.augment == DigitJitter(seed=0)
    # both change what is learned (the same seed and batches otherwise)
    assert not np.allclose(plain.probabilities, smooth.probabilities)
    assert not np.allclose(plain.probabilities, moved.probabilities)
    again = train_classifier(small_data, model_cfg, cfg, augment=DigitJitter(seed=0))
    np.testing.assert_array_equal(moved.probabilities, again.probabilities)  # jitter repeats with its seed
    with pytest.raises(ValueError, match="label_smoothing must be a number in"):
        train_classifier(small_data, model_cfg, cfg, label_smoothing=1.0)


def test_the_majority_baseline_is_reported_beside_the_accuracy(small_data: MnistData):
    cfg = replace(TINY_TRAIN, epochs=1)
    result = train_classifier(small_data, ModelConfig(hidden_size=4, num_layers=1), cfg)
    fit_idx, _ = split_validation(small_data.train_y, 0.1, cfg.seed)
    majority = np.bincount(small_data.train_y[fit_idx].numpy(), minlength=10).argmax()  # the digits fitted on
    assert result.majority_accuracy == pytest.approx(float(np.mean(result.labels == majority)))


def test_a_one_way_pooled_model_has_its_own_belief_after_each_row():
    model = _model(num_layers=1, head="mean")
    assert belief_method(model.cfg) == "stepwise"
    digit = torch.rand(28, 28)
    beliefs = reading_beliefs(model, digit)
    for t in (1, 14, 28):  # row t's belief is the answer for the digit's first t rows alone
        expected = torch.softmax(model(digit[None, :t]), 1).detach().numpy()[0]
        np.testing.assert_allclose(beliefs[t - 1], expected, atol=1e-5)
    assert belief_method(replace(model.cfg, bidirectional=True)) == "masked"



def test_recommended_preset_trains_with_its_jitter_and_smoothing():
    from lstm_core.mnist_presets import RECOMMENDED, jitter_for

    assert RECOMMENDED.augment is not None and 0 < RECOMMENDED.label_smoothing < 0.5
    assert jitter_for(RECOMMENDED.augment, 7).seed == 7 and jitter_for(None, 7) is None
    assert RECOMMENDED.train.lr_schedule == "cosine"
