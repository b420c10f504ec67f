"""Skill intervals: a block bootstrap and a Diebold-Mariano test on paired test errors."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core.skill_interval import default_block, diebold_mariano, skill_interval


def _walk(n: int, seed: int = 0) -> np.ndarray:
    return np.cumsum(np.random.default_rng(seed).normal(size=n + 1))


def test_a_model_that_is_the_baseline_plus_noise_gets_no_clear_difference():
    x = _walk(25)
    actual, naive = x[1:], x[:-1]
    model = naive + np.random.default_rng(1).normal(scale=0.05, size=25)  # 25 windows, as in issue 13
    iv = skill_interval(actual, model, naive)
    assert iv.n_windows == 25 and iv.low < 0 < iv.high
    assert iv.direction == "no clear difference" and not iv.clear
    assert iv.low <= iv.skill <= iv.high and iv.p_value > 0.05


def test_a_model_with_half_the_error_is_clearly_better_and_the_reverse_clearly_worse():
    rng = np.random.default_rng(2)
    actual = rng.normal(size=200)
    baseline = actual + rng.normal(scale=1.0, size=200)
    model = actual + rng.normal(scale=0.5, size=200)
    better = skill_interval(actual, model, baseline)
    assert better.direction == "better" and better.low > 0.2 and better.p_value < 1e-3 and better.dm_stat < 0
    ratio = np.sqrt(np.sum((model - actual) ** 2) / np.sum((baseline - actual) ** 2))
    assert better.skill == pytest.approx(1 - ratio)
    worse = skill_interval(actual, baseline, model)
    assert worse.direction == "worse" and worse.high < 0


def test_the_same_inputs_and_seed_give_the_same_interval_and_wider_blocks_change_it():
    rng = np.random.default_rng(3)
    a, m, b = rng.normal(size=(3, 60))
    assert skill_interval(a, m, b) == skill_interval(a, m, b)
    assert skill_interval(a, m, b, block=10) != skill_interval(a, m, b, block=1)
    assert default_block(27) == 3 and default_block(1) == 1


def test_correlated_errors_widen_the_interval_over_independent_ones():
    rng = np.random.default_rng(4)
    n = 300
    runs = np.repeat(rng.normal(size=n // 20), 20)  # errors in runs of 20 windows
    actual = np.zeros(n)
    model, baseline = runs + rng.normal(scale=0.3, size=n), rng.normal(size=n)
    one, twenty = (skill_interval(actual, model, baseline, block=b) for b in (1, 20))
    assert twenty.high - twenty.low > one.high - one.low


def test_identical_errors_give_a_zero_statistic():
    d = np.ones(10)
    assert diebold_mariano(d, d) == (0.0, 1.0)


@pytest.mark.parametrize(("args", "kwargs", "match"), [
    (([1.0, 2.0], [1.0], [1.0, 2.0]), {}, "same length"),
    (([1.0], [1.0], [2.0]), {}, "at least 2"),
    (([1.0, np.nan], [1.0, 2.0], [1.0, 2.0]), {}, "finite"),
    (([1.0, 2.0], [1.5, 2.0], [1.0, 2.0]), {}, "no error"),
    (([1.0, 2.0], [1.5, 2.0], [1.2, 2.1]), {"level": 1.0}, "level"),
    (([1.0, 2.0], [1.5, 2.0], [1.2, 2.1]), {"block": 3}, "block"),
])
def test_bad_input_is_refused_with_a_clear_message(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        skill_interval(*args, **kwargs)
