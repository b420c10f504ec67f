"""Tests for the long-memory task generators."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_core.memory_tasks import (
    MAX_LENGTH,
    MEMORY_TASKS,
    MemoryTaskConfig,
    generate_task,
    marked_windows,
    memory_task,
)

SMALL = MemoryTaskConfig(length=50, n_train=403, n_val=21, n_test=100, seed=3)


@pytest.mark.parametrize("name", list(MEMORY_TASKS))
def test_shapes_and_dtypes(name):
    data = generate_task(name, SMALL)
    spec = MEMORY_TASKS[name]
    for split, n in ((data.train, 403), (data.val, 21), (data.test, 100)):
        x, y = split
        assert x.shape == (n, 50, spec.input_size) and x.dtype == torch.float32
        if spec.kind == "classification":
            assert y.shape == (n,) and y.dtype == torch.int64
            assert set(y.tolist()) <= set(range(spec.output_size))
        else:
            assert y.shape == (n, 1) and y.dtype == torch.float32
    assert spec.definition and spec.baseline_text


@pytest.mark.parametrize("name", list(MEMORY_TASKS))
def test_seeded_reproducibility(name):
    a, b = generate_task(name, SMALL), generate_task(name, SMALL)
    c = generate_task(name, MemoryTaskConfig(length=50, n_train=403, n_val=21, n_test=100, seed=4))
    assert torch.equal(a.train[0], b.train[0]) and torch.equal(a.test[1], b.test[1])
    assert not torch.equal(a.train[0], c.train[0])
    # train and test are different draws, not the same sequences
    assert not torch.equal(a.train[0][:100], a.test[0])


@pytest.mark.parametrize("name", ["temporal-order", "first-symbol"])
def test_classes_balanced(name):
    counts = np.bincount(generate_task(name, SMALL).train[1].numpy(), minlength=4)
    assert counts.max() - counts.min() <= 1  # 403 = 4 x 100 + 3
    assert MEMORY_TASKS[name].chance == 0.25
    assert generate_task(name, SMALL).baseline == 0.25


def test_temporal_order_marks_where_defined():
    data = generate_task("temporal-order", MemoryTaskConfig(length=100, n_train=2000, n_val=0, n_test=10))
    x, y = data.train
    symbols = x.argmax(-1).numpy()
    assert np.allclose(x.sum(-1).numpy(), 1.0)  # one-hot
    pos = data.positions["train"]
    assert pos[:, 0].min() >= 10 and pos[:, 0].max() <= 20
    assert pos[:, 1].min() >= 50 and pos[:, 1].max() <= 60
    rows = np.arange(len(y))
    # exactly two marked symbols, at the recorded positions; the class is their order
    assert ((symbols >= 4).sum(1) == 2).all()
    first, second = symbols[rows, pos[:, 0]] - 4, symbols[rows, pos[:, 1]] - 4
    assert np.array_equal(first * 2 + second, y.numpy())
    assert data.val is None


@pytest.mark.parametrize("length", [2, 3, 5, 10, 200, MAX_LENGTH])
def test_temporal_order_windows_valid_for_every_length(length):
    (e_lo, e_hi), (l_lo, l_hi) = marked_windows(length)
    assert 0 <= e_lo <= e_hi < l_lo <= l_hi < length


def test_adding_problem_target_and_baseline():
    data = generate_task("adding", MemoryTaskConfig(length=100, n_train=3000, n_val=10, n_test=2000))
    x, y = data.train
    pos = data.positions["train"]
    rows = np.arange(len(y))
    assert np.array_equal(x[..., 1].sum(1).numpy(), np.full(len(y), 2.0))
    assert (pos[:, 0] < 50).all() and (pos[:, 1] >= 50).all() and (pos[:, 1] < 100).all()
    assert pos[:, 0].min() == 0 and pos[:, 1].max() == 99  # the whole of each half is used
    values = x[..., 0].numpy()
    expected = 0.5 + (values[rows, pos[:, 0]] + values[rows, pos[:, 1]]) / 4
    assert np.allclose(y[:, 0].numpy(), expected, atol=1e-6)
    assert np.abs(values).max() <= 1.0
    # predict-the-mean MSE is the target's variance: var(v1 + v2) / 16 = (2 / 3) / 16 = 1 / 24
    assert data.baseline == pytest.approx(1 / 24, rel=0.1)
    assert np.isnan(MEMORY_TASKS["adding"].chance)


def test_adding_problem_shortest_length():
    data = generate_task("adding", MemoryTaskConfig(length=2, n_train=50, n_val=1, n_test=5))
    assert (data.positions["train"] == [0, 1]).all()


def test_first_symbol_is_the_class():
    data = generate_task("first-symbol", SMALL)
    assert torch.equal(data.test[0][:, 0].argmax(-1), data.test[1])


def test_marker_signal():
    for name in MEMORY_TASKS:
        data = generate_task(name, SMALL)
        signal = MEMORY_TASKS[name].marker_signal(data.test[0])
        pos = data.positions["test"]
        assert signal.shape == (100, 50)
        assert signal.sum().item() == pytest.approx(pos.size)
        assert (signal[np.arange(100)[:, None], pos] == 1).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"length": 1}, "length must be a whole number in \\[2, 2,000\\]"),
        ({"length": MAX_LENGTH + 1}, "length must be"),
        ({"length": 10.5}, "length must be"),
        ({"n_train": 0}, "n_train must be"),
        ({"n_test": 0}, "n_test must be"),
        ({"n_val": -1}, "n_val must be"),
        ({"seed": -1}, "seed must be"),
        ({"n_train": 200_001}, "n_train must be a whole number in \\[10, 200,000\\]"),  # as on the page
        ({"n_val": 1_000_000, "length": 2000}, "too many to hold in memory"),
    ],
)
def test_config_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MemoryTaskConfig(**kwargs)


def test_unknown_task():
    with pytest.raises(ValueError, match="unknown task 'copy'; valid: temporal-order, adding, first-symbol"):
        memory_task("copy")
