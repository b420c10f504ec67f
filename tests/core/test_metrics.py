"""Metrics, hand-computed on arrays small enough to check on paper."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_core.metrics import (
    REGRESSION_METRICS,
    accuracy,
    comparison_verdict,
    confusion_matrix,
    directional_accuracy,
    mae,
    mape,
    per_class_accuracy,
    regression_report,
    rmse,
    skill_score,
    verdict,
)

ACTUAL = np.array([10.0, 11.0, 9.0, 12.0])
PREDICTED = np.array([10.5, 9.5, 9.5, 11.0])  # errors -0.5, 1.5, -0.5, 1.0
LAST = np.array([9.0, 10.0, 11.0, 9.0])  # naive errors 1, 1, -2, 3


def test_rmse_mae_mape_by_hand() -> None:
    assert rmse(ACTUAL, PREDICTED) == pytest.approx(math.sqrt((0.25 + 2.25 + 0.25 + 1.0) / 4))
    assert mae(ACTUAL, PREDICTED) == pytest.approx((0.5 + 1.5 + 0.5 + 1.0) / 4)
    assert mape(ACTUAL, PREDICTED) == pytest.approx((0.5 / 10 + 1.5 / 11 + 0.5 / 9 + 1.0 / 12) / 4 * 100)
    assert rmse(ACTUAL, ACTUAL) == 0.0


def test_inputs_of_any_shape_are_flattened() -> None:
    assert rmse(ACTUAL[:, None], PREDICTED) == pytest.approx(rmse(ACTUAL, PREDICTED))


def test_mape_skips_zero_actuals() -> None:
    assert mape(np.array([0.0, 10.0]), np.array([5.0, 11.0])) == pytest.approx(10.0)
    assert math.isnan(mape(np.zeros(3), np.ones(3)))


def test_directional_accuracy_by_hand() -> None:
    # true moves +, +, -, +; predicted moves +, -, -, +: three of four right.
    assert directional_accuracy(ACTUAL, PREDICTED, LAST) == pytest.approx(75.0)


def test_directional_accuracy_skips_flat_steps_and_never_credits_no_move() -> None:
    actual, last = np.array([2.0, 1.0, 5.0]), np.array([1.0, 2.0, 5.0])  # up, down, flat (skipped)
    assert directional_accuracy(actual, np.array([3.0, 0.0, 9.0]), last) == pytest.approx(100.0)
    # A prediction of "no move" on a step that moved counts as wrong.
    assert directional_accuracy(actual, np.array([1.0, 0.0, 5.0]), last) == pytest.approx(50.0)
    # The naive forecast never moves: no directional skill, reported as NaN, not 0 %.
    assert math.isnan(directional_accuracy(actual, last, last))
    assert math.isnan(directional_accuracy(last, np.array([3.0, 0.0, 9.0]), last))


def test_length_mismatch_and_empty_input_raise() -> None:
    with pytest.raises(ValueError, match="same length"):
        rmse(ACTUAL, PREDICTED[:3])
    with pytest.raises(ValueError, match="at least one value"):
        mae(np.array([]), np.array([]))


def test_regression_report_puts_the_naive_baseline_beside_the_model() -> None:
    report = regression_report(ACTUAL, PREDICTED, LAST)
    assert list(report.index) == list(REGRESSION_METRICS)
    assert list(report.columns) == ["model", "naive", "model / naive"]
    assert report.loc["RMSE", "model"] == pytest.approx(rmse(ACTUAL, PREDICTED))
    assert report.loc["RMSE", "naive"] == pytest.approx(math.sqrt((1 + 1 + 4 + 9) / 4))
    assert report.loc["MAE", "naive"] == pytest.approx(7 / 4)
    assert report.loc["MAE", "model / naive"] == pytest.approx(0.875 / 1.75)
    assert report.loc["Directional accuracy %", "model"] == pytest.approx(75.0)
    assert math.isnan(report.loc["Directional accuracy %", "naive"])


def test_naive_against_itself_has_ratio_one_and_zero_skill() -> None:
    report = regression_report(ACTUAL, LAST, LAST)
    for name in ("RMSE", "MAE", "MAPE %"):
        assert report.loc[name, "model / naive"] == pytest.approx(1.0)
    assert skill_score(ACTUAL, LAST, LAST) == pytest.approx(0.0)


def test_skill_score_value_and_sign() -> None:
    # RMSE model sqrt(0.9375), naive sqrt(3.75): the model's error is half the baseline's.
    assert skill_score(ACTUAL, PREDICTED, LAST) == pytest.approx(0.5)
    assert skill_score(ACTUAL, ACTUAL, LAST) == pytest.approx(1.0)
    worse = LAST + np.array([3.0, -3.0, 3.0, -3.0])
    assert skill_score(ACTUAL, worse, LAST) < 0
    assert math.isnan(skill_score(LAST, PREDICTED, LAST))  # the baseline is exact


def test_verdict_sentences() -> None:
    assert verdict(0.5) == (
        "The model beats the naive 'tomorrow = today' baseline: its RMSE is 50.0% lower."
    )
    assert verdict(-0.2) == (
        "The model does not beat the naive 'tomorrow = today' baseline: its RMSE is 20.0% higher."
    )
    assert "ties" in verdict(0.001) and "ties" in verdict(-0.004)
    assert "nothing to beat" in verdict(float("nan"))
    monthly = verdict(0.5, "next month = this month")
    assert monthly.startswith("The model beats the naive 'next month = this month'")


def test_comparison_verdict_names_the_best_baseline_and_the_gap() -> None:
    rmses = {"naive": 2.0, "seasonal naive": 1.0, "drift": 2.1}
    assert comparison_verdict(0.8, rmses) == (
        "The model beats the best baseline, seasonal naive (best of 3 baselines): its test RMSE is "
        "20.0% lower.")
    assert comparison_verdict(1.5, rmses, part="validation") == (
        "The model does not beat the best baseline, seasonal naive (best of 3 baselines): its validation "
        "RMSE is 50.0% higher.")
    assert "ties the best baseline, naive" in comparison_verdict(2.004, {"naive": 2.0})
    assert "nothing to beat" in comparison_verdict(1.0, {"naive": 0.0})
    assert comparison_verdict(float("nan"), rmses) == "No comparison: the errors are not finite."


def test_confusion_matrix_and_per_class_accuracy() -> None:
    y_true = np.array([0, 1, 2, 2, 1])
    y_pred = np.array([0, 2, 2, 1, 1])
    cm = confusion_matrix(y_true, y_pred, 3)
    np.testing.assert_array_equal(cm, [[1, 0, 0], [0, 1, 1], [0, 1, 1]])
    assert cm.sum() == 5
    np.testing.assert_allclose(per_class_accuracy(cm), [1.0, 0.5, 0.5])
    assert accuracy(y_true, y_pred) == pytest.approx(3 / 5)
    assert math.isnan(accuracy(np.array([]), np.array([])))


def test_per_class_accuracy_is_nan_for_an_absent_class() -> None:
    cm = confusion_matrix(np.array([0, 0, 2]), np.array([0, 1, 2]), 4)
    result = per_class_accuracy(cm)
    assert result[0] == pytest.approx(0.5) and result[2] == 1.0
    assert math.isnan(result[1]) and math.isnan(result[3])


def test_confusion_matrix_rejects_bad_labels() -> None:
    with pytest.raises(ValueError, match="4 labels but y_pred has 3"):
        confusion_matrix(np.zeros(4), np.zeros(3), 2)
    # A label outside 0..n_classes-1 must not be silently counted in another cell.
    with pytest.raises(ValueError, match="0 to 2"):
        confusion_matrix(np.array([0, 1]), np.array([3, 1]), 3)
    with pytest.raises(ValueError, match="0 to 2"):
        confusion_matrix(np.array([-1, 1]), np.array([0, 1]), 3)
