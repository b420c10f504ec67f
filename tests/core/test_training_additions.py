"""Pooled heads, label smoothing, the learning-rate schedule and the per-epoch train transform."""

from __future__ import annotations

import math

import pytest
import torch
from torch.optim.optimizer import register_optimizer_step_pre_hook

from lstm_core.augment import DigitJitter
from lstm_core.config import ConfigError, ModelConfig, TrainConfig
from lstm_core.lr_schedule import lr_factor
from lstm_core.models import build_model
from lstm_core.tasks import CLASSIFICATION, Classification
from lstm_core.training import fit


def _classes(n: int = 64, steps: int = 6, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, steps, 3, generator=g)
    return x, (x[:, :, 0].sum(1) > 0).long()


@pytest.mark.parametrize("head", ["mean", "max"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_pooled_head_reads_only_the_real_steps(head: str, bidirectional: bool) -> None:
    cfg = ModelConfig(cell="GRU", hidden_size=5, num_layers=1, bidirectional=bidirectional, head=head)
    model = build_model(cfg, input_size=3, output_size=4).eval()
    assert model.head.in_features == 5 * cfg.num_directions  # pooled: no seq_len needed
    x = torch.randn(3, 7, 3)
    lengths = torch.tensor([2, 7, 4])
    padded = model(x, lengths)
    for i, n in enumerate(lengths.tolist()):  # each sequence alone, cut at its length
        torch.testing.assert_close(padded[i], model(x[i : i + 1, :n])[0], atol=1e-6, rtol=1e-5)
    garbage = x.clone()
    garbage[0, 2:] = 100.0  # what lies past a length never changes the answer
    torch.testing.assert_close(model(garbage, lengths), padded)


def test_pooled_heads_compute_the_mean_and_the_max_of_the_outputs() -> None:
    x = torch.randn(2, 5, 3)
    for head, pool in (("mean", lambda o: o.mean(1)), ("max", lambda o: o.amax(1))):
        model = build_model(ModelConfig(cell="LSTM", hidden_size=4, num_layers=2, head=head),
                            input_size=3, output_size=2).eval()
        torch.testing.assert_close(model(x), model.head(pool(model.sequence_output(x))))


@pytest.mark.parametrize("head", ["mean", "max"])
def test_a_one_way_pooled_model_answers_after_each_step_as_for_a_shorter_sequence(head: str) -> None:
    model = build_model(ModelConfig(cell="RNN", hidden_size=4, num_layers=1, head=head),
                        input_size=3, output_size=2).eval()
    x = torch.randn(2, 6, 3)
    steps = model.step_outputs(x)
    for t in range(1, 7):
        torch.testing.assert_close(steps[:, t - 1], model(x[:, :t]), atol=1e-6, rtol=1e-5)
    bi = build_model(ModelConfig(hidden_size=4, num_layers=1, head=head, bidirectional=True), input_size=3,
                     output_size=2)
    with pytest.raises(ValueError, match="one-way"):
        bi.step_outputs(x)


def test_pooled_heads_train_and_the_hand_written_rnn_refuses_them() -> None:
    x, y = _classes()
    model = build_model(ModelConfig(cell="GRU", hidden_size=8, num_layers=1, head="mean"), input_size=3,
                        output_size=2)
    h = fit(model, (x, y), None, TrainConfig(epochs=15, batch_size=16, lr=1e-2), CLASSIFICATION)
    assert h.train_loss[-1] < 0.5 * h.train_loss[0]
    with pytest.raises(ConfigError, match="HandRNN"):
        ModelConfig(cell="HandRNN", num_layers=1, head="mean")


def test_label_smoothing_is_the_smoothed_cross_entropy_and_is_checked() -> None:
    logits, y = torch.randn(8, 5), torch.randint(0, 5, (8,))
    smoothed = Classification(label_smoothing=0.2).loss_function()(logits, y)
    logp = torch.log_softmax(logits, 1)
    expected = (0.8 * -logp[torch.arange(8), y] + 0.2 * -logp.mean(1)).mean()
    torch.testing.assert_close(smoothed, expected)
    assert float(CLASSIFICATION.loss_function()(logits, y)) == pytest.approx(
        float(-logp[torch.arange(8), y].mean()), rel=1e-6)
    assert Classification(label_smoothing=0.1).name == "classification"  # run files store the name
    for bad in (-0.1, 1.0, math.nan, True):
        with pytest.raises(ValueError, match="label_smoothing must be a number in"):
            Classification(label_smoothing=bad)


def test_lr_factor_warms_up_then_follows_half_a_cosine() -> None:
    assert [lr_factor("constant", 0.0, s, 10) for s in range(10)] == [1.0] * 10
    cos = [lr_factor("cosine", 0.0, s, 100) for s in range(100)]
    assert cos[0] == 1.0 and cos[50] == pytest.approx(0.5) and 0 < cos[-1] < 0.001
    assert all(a >= b for a, b in zip(cos, cos[1:], strict=False))
    warm = [lr_factor("cosine", 0.1, s, 100) for s in range(12)]
    assert warm[:10] == pytest.approx([0.1 * (s + 1) for s in range(10)]) and warm[10] == 1.0
    assert lr_factor("constant", 0.5, 1, 10) == pytest.approx(0.4)
    with pytest.raises(ValueError, match="unknown lr_schedule"):
        lr_factor("step", 0.0, 0, 10)


def test_fit_sets_the_scheduled_rate_before_every_step() -> None:
    x, y = _classes(n=40)
    cfg = TrainConfig(epochs=3, batch_size=10, lr=0.05, optimizer="sgd", lr_schedule="cosine",
                      warmup_fraction=0.25, shuffle=False)
    model = build_model(ModelConfig(cell="GRU", hidden_size=4, num_layers=1), input_size=3, output_size=2)
    seen: list[float] = []
    hook = register_optimizer_step_pre_hook(lambda opt, a, k: seen.append(opt.param_groups[0]["lr"]))
    try:
        fit(model, (x, y), None, cfg, CLASSIFICATION)
    finally:
        hook.remove()
    assert seen == pytest.approx([0.05 * lr_factor("cosine", 0.25, s, 12) for s in range(12)])


def test_schedule_settings_are_checked_by_name() -> None:
    with pytest.raises(ConfigError, match="lr_schedule must be one of constant, cosine") as err:
        TrainConfig(lr_schedule="linear")  # type: ignore[arg-type]
    assert err.value.field == "lr_schedule"
    for bad in (-0.1, 1.0, math.inf):
        with pytest.raises(ConfigError, match="warmup_fraction must be"):
            TrainConfig(warmup_fraction=bad)


def test_train_transform_gets_each_epoch_and_only_the_training_inputs() -> None:
    x, y = _classes(n=20)
    calls: list[tuple[int, tuple]] = []

    def flip(inputs: torch.Tensor, epoch: int) -> torch.Tensor:
        calls.append((epoch, tuple(inputs.shape)))
        return -inputs

    model = build_model(ModelConfig(cell="GRU", hidden_size=4, num_layers=1), input_size=3, output_size=2)
    h = fit(model, (x, y), (x, y), TrainConfig(epochs=3, batch_size=5), CLASSIFICATION,
            train_transform=flip, monitor={"test": (x, y)})
    assert calls == [(1, (20, 6, 3)), (2, (20, 6, 3)), (3, (20, 6, 3))]
    assert len(h.epochs) == 3
    with pytest.raises(ValueError, match=r"train_transform must return a tensor of shape \(20, 6, 3\)"):
        fit(model, (x, y), None, TrainConfig(epochs=1), CLASSIFICATION, train_transform=lambda v, e: v[:, :2])


def test_digit_jitter_moves_digits_a_little_and_repeats_by_seed_and_epoch() -> None:
    x = torch.zeros(50, 28, 28)
    x[:, 10:18, 12:16] = 1.0  # a bar in the middle: nothing leaves the frame
    jitter = DigitJitter(max_shift=2, max_degrees=10, seed=3)
    a = jitter(x, 1)
    assert a.shape == x.shape and a.dtype == x.dtype
    torch.testing.assert_close(a, jitter(x, 1))  # the same epoch and seed: the same moves
    assert not torch.equal(a, jitter(x, 2)) and not torch.equal(a, DigitJitter(seed=4)(x, 1))
    torch.testing.assert_close(a.sum((1, 2)), x.sum((1, 2)), rtol=0.02, atol=0.5)  # ink is kept
    rows = torch.arange(28.0)
    centre = (a.sum(2) * rows).sum(1) / a.sum((1, 2))
    assert (centre - 13.5).abs().max() <= 2.01 and (centre - 13.5).abs().max() > 0.5
    torch.testing.assert_close(DigitJitter(0, 0)(x, 1), x)  # no shift, no rotation: unchanged
    assert float(a.min()) >= 0.0 and float(a.max()) <= 1.0 + 1e-6
    for bad in ({"max_shift": -1}, {"max_degrees": 90}, {"seed": -1}):
        with pytest.raises(ValueError, match="must be"):
            DigitJitter(**bad)
    with pytest.raises(ValueError, match=r"needs images \(N, rows, columns\)"):
        jitter(torch.zeros(28, 28), 1)
