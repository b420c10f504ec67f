"""Scaler round trips and window alignment."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lstm_core.preprocessing import Scaler, make_windows, split_sizes

RNG = np.random.default_rng(0)
VALUES = RNG.normal(100.0, 15.0, size=(50, 3))


@pytest.mark.parametrize("kind", ["standard", "minmax"])
def test_scaler_round_trip(kind: str) -> None:
    scaler = Scaler(kind).fit(VALUES)
    scaled = scaler.transform(VALUES)
    for col in range(3):
        np.testing.assert_allclose(scaler.transform_column(VALUES[:, col], col), scaled[:, col])
        np.testing.assert_allclose(scaler.inverse_column(scaled[:, col], col), VALUES[:, col], rtol=1e-12)


def test_standard_scaler_gives_zero_mean_unit_std() -> None:
    scaled = Scaler("standard").fit(VALUES).transform(VALUES)
    np.testing.assert_allclose(scaled.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(scaled.std(axis=0), 1.0, rtol=1e-12)


def test_minmax_scaler_maps_the_fitted_range_to_0_1() -> None:
    scaled = Scaler("minmax").fit(VALUES).transform(VALUES)
    np.testing.assert_allclose(scaled.min(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(scaled.max(axis=0), 1.0, rtol=1e-12)


@pytest.mark.parametrize("kind", ["standard", "minmax"])
def test_constant_column_stays_finite_and_invertible(kind: str) -> None:
    values = np.column_stack([np.full(10, 7.0), np.arange(10.0)])
    scaler = Scaler(kind).fit(values)
    scaled = scaler.transform(values)
    assert np.isfinite(scaled).all()
    for col in range(values.shape[1]):
        np.testing.assert_allclose(scaler.inverse_column(scaled[:, col], col), values[:, col])


def test_to_dict_from_dict_round_trip_through_json() -> None:
    scaler = Scaler("minmax").fit(VALUES)
    restored = Scaler.from_dict(json.loads(json.dumps(scaler.to_dict())))
    assert restored.kind == "minmax"
    np.testing.assert_array_equal(restored.transform(VALUES), scaler.transform(VALUES))


def test_unfitted_scaler_says_fit_first() -> None:
    for call in (
        lambda s: s.transform(VALUES),
        lambda s: s.transform_column(VALUES[:, 0]),
        lambda s: s.inverse_column(VALUES[:, 0]),
        lambda s: s.to_dict(),
    ):
        with pytest.raises(RuntimeError, match="not fitted: call fit"):
            call(Scaler())


def test_scaler_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="non-empty \\(rows, columns\\)"):
        Scaler().fit(np.arange(5.0))
    with pytest.raises(ValueError, match="non-empty"):
        Scaler().fit(np.empty((0, 2)))
    with pytest.raises(ValueError, match="unknown scaler 'robust'; valid: standard, minmax"):
        Scaler("robust").fit(VALUES)


@pytest.mark.parametrize(("rows", "features", "seq_len"), [(10, 1, 3), (12, 2, 1), (6, 3, 5)])
def test_make_windows_shapes_and_alignment(rows: int, features: int, seq_len: int) -> None:
    values = np.arange(rows * features, dtype=np.float64).reshape(rows, features)
    x, next_rows = make_windows(values, seq_len)
    assert x.shape == (rows - seq_len, seq_len, features)
    assert next_rows.shape == (rows - seq_len, features)
    assert x.flags["C_CONTIGUOUS"]
    for k in range(rows - seq_len):
        np.testing.assert_array_equal(x[k], values[k : k + seq_len])
        np.testing.assert_array_equal(next_rows[k], values[k + seq_len])


def test_make_windows_copies_rather_than_views() -> None:
    values = np.arange(10.0)[:, None]
    x, _ = make_windows(values, 3)
    x[0, 0, 0] = -1
    assert values[0, 0] == 0.0


def test_make_windows_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="must be \\(rows, features\\)"):
        make_windows(np.arange(10.0), 3)
    with pytest.raises(ValueError, match=r"seq_len must be in \[1, 9\] for 10 rows; got 10"):
        make_windows(np.zeros((10, 1)), 10)
    with pytest.raises(ValueError, match="got 0"):
        make_windows(np.zeros((10, 1)), 0)


@pytest.mark.parametrize("n_rows", [1, 7, 10, 99, 1000, 1001])
@pytest.mark.parametrize(("val", "test"), [(0.1, 0.2), (0.0, 0.5), (0.25, 0.25), (0.15, 0.15)])
def test_split_sizes_sum_to_the_rows(n_rows: int, val: float, test: float) -> None:
    n_train, n_val, n_test = split_sizes(n_rows, val, test)
    assert n_train + n_val + n_test == n_rows
    assert min(n_train, n_val, n_test) >= 0
    assert abs(n_test - n_rows * test) <= 0.5 and abs(n_val - n_rows * val) <= 0.5


def test_split_sizes_example() -> None:
    assert split_sizes(1000, 0.1, 0.2) == (700, 100, 200)
