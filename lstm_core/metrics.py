"""Metrics: forecasts judged beside the naive baseline, and classification scores.

The naive persistence baseline predicts that the next value equals the last one
("tomorrow = today"). A forecaster that cannot beat it has learned nothing useful, so
every regression metric is reported for both, with a skill score
``1 - RMSE_model / RMSE_naive`` (positive: the model beats the baseline).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

REGRESSION_METRICS = ("RMSE", "MAE", "MAPE %", "Directional accuracy %")


def _arrays(*arrays: np.ndarray) -> list[np.ndarray]:
    out = [np.asarray(a, dtype=np.float64).reshape(-1) for a in arrays]
    if len({len(a) for a in out}) != 1:
        raise ValueError(f"arrays must have the same length; got {[len(a) for a in out]}")
    if len(out[0]) == 0:
        raise ValueError("metrics need at least one value")
    return out


def rmse(actual: np.ndarray, predicted: np.ndarray) -> float:
    actual, predicted = _arrays(actual, predicted)
    return float(np.sqrt(np.mean((actual - predicted) ** 2)))


def mae(actual: np.ndarray, predicted: np.ndarray) -> float:
    actual, predicted = _arrays(actual, predicted)
    return float(np.mean(np.abs(actual - predicted)))


def mape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Mean absolute percentage error in percent; rows where the actual is 0 are skipped."""
    actual, predicted = _arrays(actual, predicted)
    nonzero = actual != 0
    if not nonzero.any():
        return float("nan")
    return float(np.mean(np.abs((actual[nonzero] - predicted[nonzero]) / actual[nonzero])) * 100)


def directional_accuracy(actual: np.ndarray, predicted: np.ndarray, last: np.ndarray) -> float:
    """Percent of steps where the predicted move from ``last`` has the actual move's sign.

    Steps where the price did not move are skipped. A forecast of "no move" never
    counts as right, so the naive baseline has no directional skill by construction:
    it is reported as NaN rather than as a misleading 0 %.
    """
    actual, predicted, last = _arrays(actual, predicted, last)
    true_move, predicted_move = np.sign(actual - last), np.sign(predicted - last)
    moved = true_move != 0
    if not moved.any() or not predicted_move.any():
        return float("nan")
    return float(np.mean(true_move[moved] == predicted_move[moved]) * 100)


def regression_report(actual: np.ndarray, predicted: np.ndarray, last: np.ndarray) -> pd.DataFrame:
    """Model and naive baseline side by side, in real units.

    Args:
        actual: the true values, e.g. prices in USD.
        predicted: the model's predictions of the same steps.
        last: the last known value before each step (the naive prediction).

    Returns:
        A frame indexed by ``REGRESSION_METRICS`` with columns "model", "naive" and
        "model / naive" (below 1 is better than the baseline, for the error metrics).
    """
    actual, predicted, last = _arrays(actual, predicted, last)
    rows = {}
    for name, fn in (("RMSE", rmse), ("MAE", mae), ("MAPE %", mape)):
        model, naive = fn(actual, predicted), fn(actual, last)
        rows[name] = (model, naive, model / naive if naive else float("nan"))
    nan = float("nan")
    rows["Directional accuracy %"] = (directional_accuracy(actual, predicted, last), nan, nan)
    return pd.DataFrame.from_dict(rows, orient="index", columns=["model", "naive", "model / naive"])


def skill_score(actual: np.ndarray, predicted: np.ndarray, last: np.ndarray) -> float:
    """``1 - RMSE_model / RMSE_naive``: above 0 beats "tomorrow = today", 1 is perfect."""
    naive = rmse(actual, last)
    return float("nan") if naive == 0 else 1.0 - rmse(actual, predicted) / naive


# RMSE within this share of a baseline's is a tie: smaller differences are noise on a test part.
TIE_BAND = 0.005


def verdict(skill: float, naive_wording: str = "tomorrow = today") -> str:
    """One plain sentence about the model against the naive baseline (worded for the data's frequency)."""
    if not np.isfinite(skill):
        return ("No verdict: the skill score is undefined (the naive baseline is exact on this data, "
                "so there is nothing to beat, or the predictions are not finite).")
    pct = abs(skill) * 100
    if skill > TIE_BAND:
        return f"The model beats the naive '{naive_wording}' baseline: its RMSE is {pct:.1f}% lower."
    if skill < -TIE_BAND:
        return (f"The model does not beat the naive '{naive_wording}' baseline: "
                f"its RMSE is {pct:.1f}% higher.")
    return (f"The model ties the naive '{naive_wording}' baseline (RMSE within {TIE_BAND:.1%}): "
            "it adds nothing.")


def comparison_verdict(model_rmse: float, baseline_rmse: dict[str, float], part: str = "test") -> str:
    """One sentence naming the best baseline and how the model compares with it.

    Args:
        model_rmse: the model's RMSE on ``part``.
        baseline_rmse: RMSE of each baseline on the same part, by name.
        part: the part's name as the sentence says it.
    """
    finite = {k: v for k, v in baseline_rmse.items() if np.isfinite(v)}
    if not finite or not np.isfinite(model_rmse):
        return "No comparison: the errors are not finite."
    best = min(finite, key=finite.get)
    others = f" (best of {len(finite)} baselines)" if len(finite) > 1 else ""
    if finite[best] == 0:
        return f"The {best} baseline is exact on the {part} part{others}: there is nothing to beat."
    change = model_rmse / finite[best] - 1
    if change < -TIE_BAND:
        return (f"The model beats the best baseline, {best}{others}: its {part} RMSE is "
                f"{-change:.1%} lower.")
    if change > TIE_BAND:
        return (f"The model does not beat the best baseline, {best}{others}: its {part} RMSE is "
                f"{change:.1%} higher.")
    return f"The model ties the best baseline, {best}{others} ({part} RMSE within {TIE_BAND:.1%})."


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts ``cm[true, predicted]`` of shape (n_classes, n_classes)."""
    y_true = np.asarray(y_true, dtype=np.int64).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=np.int64).reshape(-1)
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} labels but y_pred has {len(y_pred)}")
    # Out of range, a label would be counted silently in another cell (true*n + pred wraps).
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if len(labels) and (labels.min() < 0 or labels.max() >= n_classes):
            raise ValueError(
                f"{name} labels must be 0 to {n_classes - 1}; got {labels.min()} to {labels.max()}"
            )
    return np.bincount(y_true * n_classes + y_pred, minlength=n_classes**2).reshape(n_classes, n_classes)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    y_true, y_pred = np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1)
    return float(np.mean(y_true == y_pred)) if len(y_true) else float("nan")


def per_class_accuracy(cm: np.ndarray) -> np.ndarray:
    """Recall of each class from a confusion matrix (NaN for a class with no samples)."""
    totals = cm.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(cm) / totals, np.nan)


def balanced_accuracy(cm: np.ndarray) -> float:
    """Mean recall over the classes present: what accuracy would be if every class were equally common."""
    recalls = per_class_accuracy(cm)
    present = recalls[~np.isnan(recalls)]
    return float(present.mean()) if len(present) else float("nan")


def macro_f1(cm: np.ndarray) -> float:
    """Unweighted mean of each present class's F1 (2 * precision * recall / (precision + recall)).

    A majority-class guess scores high accuracy on an imbalanced set but a low macro-F1.
    """
    cm = np.asarray(cm, dtype=np.float64)
    tp, actual, predicted = np.diag(cm), cm.sum(axis=1), cm.sum(axis=0)
    present = actual > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(actual + predicted > 0, 2 * tp / (actual + predicted), 0.0)
    return float(f1[present].mean()) if present.any() else float("nan")


def majority_accuracy(train_labels: np.ndarray, test_labels: np.ndarray) -> float:
    """Accuracy on ``test_labels`` of always answering the most common training class."""
    train_labels, test_labels = np.asarray(train_labels).reshape(-1), np.asarray(test_labels).reshape(-1)
    if not len(train_labels) or not len(test_labels):
        return float("nan")
    return float(np.mean(test_labels == np.bincount(train_labels).argmax()))
