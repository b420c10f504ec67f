"""Training cost estimates: they grow with the work, and very large settings are warned about."""

from __future__ import annotations

import pytest

from lstm_core.config import ModelConfig
from lstm_core.cost import SLOW_EPOCH_S, step_flops, training_cost

SIZES = {"input_size": 28, "output_size": 10, "seq_len": 28}


def test_step_flops_count_gates_layers_directions_and_heads() -> None:
    lstm = ModelConfig(cell="LSTM", hidden_size=100, num_layers=1)
    # seed 000: 4 gates x 100 units x (28 inputs + 100 hidden) multiply-adds per step and digit
    per_digit = 28 * 4 * 100 * 128 + 100 * 10
    assert step_flops(lstm, batch_size=1, **SIZES) == pytest.approx(3 * 2 * per_digit)
    rnn = ModelConfig(cell="RNN", hidden_size=100, num_layers=1)
    assert step_flops(lstm, batch_size=8, **SIZES) > 3.5 * step_flops(rnn, batch_size=8, **SIZES)
    both = ModelConfig(cell="LSTM", hidden_size=100, num_layers=2, bidirectional=True, head="all")
    assert step_flops(both, batch_size=8, **SIZES) > 4 * step_flops(lstm, batch_size=8, **SIZES)


def test_cost_grows_with_the_work_and_counts_steps() -> None:
    small = ModelConfig(cell="GRU", hidden_size=32, num_layers=1)
    cost = training_cost(small, n_train=1000, batch_size=100, epochs=5, **SIZES)
    assert cost.steps_per_epoch == 10 and cost.run_s == pytest.approx(5 * cost.epoch_s)
    capped = training_cost(small, n_train=1000, batch_size=100, epochs=5, max_steps=20, **SIZES)
    assert capped.run_s == pytest.approx(2 * capped.epoch_s)
    bigger = training_cost(ModelConfig(cell="GRU", hidden_size=512, num_layers=2), n_train=1000,
                           batch_size=100, epochs=5, **SIZES)
    assert bigger.epoch_s > cost.epoch_s
    scored = training_cost(small, n_train=1000, batch_size=100, epochs=5, n_eval=1000, **SIZES)
    assert scored.epoch_s > cost.epoch_s
    assert cost.warning() == ""


def test_settings_that_take_hours_are_warned_about_before_training() -> None:
    huge = ModelConfig(cell="LSTM", hidden_size=2048, num_layers=2)
    cost = training_cost(huge, n_train=60_000, batch_size=32, epochs=50, **SIZES)
    assert cost.epoch_s > SLOW_EPOCH_S
    text = cost.warning()
    assert "would take very long on this machine" in text and " h in all" in text


def test_check_settings_refuses_a_model_over_the_cap_and_warns_about_a_slow_one() -> None:
    from lstm_core.classification import mnist_sizes
    from lstm_core.config import TrainConfig
    from lstm_core.cost import check_settings
    from lstm_core.models import MAX_PARAMETERS

    sizes = mnist_sizes(4000, 1000, 0.1)
    assert sizes == {"input_size": 28, "output_size": 10, "seq_len": 28, "n_train": 3600, "n_eval": 1400}
    too_big, slow = check_settings(ModelConfig(hidden_size=4096, num_layers=4), TrainConfig(), **sizes)
    assert f"the limit here is {MAX_PARAMETERS:,}" in too_big and slow == ""
    small = ModelConfig(hidden_size=8, num_layers=1)
    assert check_settings(small, TrainConfig(epochs=2), **sizes) == ("", "")
    _, slow = check_settings(ModelConfig(hidden_size=1500, num_layers=1), TrainConfig(epochs=400), **sizes)
    assert "would take very long on this machine" in slow


def test_ordinary_settings_are_cleared_without_measuring_this_machine() -> None:
    from lstm_core import cost
    from lstm_core.config import TrainConfig

    cost._measured_rate.cache_clear()
    sizes = {"input_size": 28, "output_size": 10, "seq_len": 28, "n_train": 3600, "n_eval": 1400}
    assert cost.check_settings(ModelConfig(cell="GRU", hidden_size=128, num_layers=1),
                               TrainConfig(epochs=24, batch_size=64), **sizes) == ("", "")
    assert cost._measured_rate.cache_info().currsize == 0  # the slowest-machine bound already said no
