"""MNIST classification pipeline: digits read row by row -> trained classifier -> judged results.

    MnistData (x: (N, 28 rows = seq_len, 28 pixels = input_size), float32 in [0, 1])
      -> a SequenceDataset -> fit() (lstm_core.training) on the training digits less a
         validation share, which alone picks the kept epoch and early stopping; the test
         digits are only watched (test accuracy every epoch, and every ``eval_every``
         optimiser steps as seed 000 reports it). Optionally each epoch's training digits are
         jittered (``lstm_core.augment.DigitJitter``) and the loss label-smoothed.
      -> test probabilities, predictions, accuracy, per-class accuracy, confusion matrix

``reading_beliefs`` shows how a trained model's belief over the ten classes evolves as it
reads the 28 rows, one row at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import torch

from lstm_core.augment import DigitJitter
from lstm_core.config import ModelConfig, TrainConfig
from lstm_core.data.mnist import MnistData, stratified_split
from lstm_core.models import build_model, parameter_table
from lstm_core.progress import History
from lstm_core.sequence_classification import SequenceDataset, judge
from lstm_core.tasks import Classification
from lstm_core.training import fit, seeded

N_CLASSES = 10
ROWS = 28  # time steps: one image row each
PIXELS = 28  # features per step: the pixels of a row
VAL_FRACTION = 0.1  # share of the training digits held back to pick the kept epoch
BeliefMethod = Literal["stepwise", "masked"]


CLASSES = tuple(str(d) for d in range(N_CLASSES))


@dataclass(frozen=True)
class ClassifierResult:
    """A trained digit classifier and how it does on the held-out digits."""

    model: torch.nn.Module
    model_cfg: ModelConfig
    train_cfg: TrainConfig
    data: MnistData
    history: History
    probabilities: np.ndarray  # (n_test, 10) softmax of the test digits
    predictions: np.ndarray  # (n_test,) argmax class
    accuracy: float  # share of test digits right, 0..1
    per_class: np.ndarray  # (10,) recall of each digit, NaN for a class without test digits
    confusion: np.ndarray  # (10, 10) counts, confusion[true, predicted]
    n_train: int  # digits the model was fitted on
    n_val: int  # training digits held back as validation (0: none)
    majority_accuracy: float = 0.1  # always answering the most common training class, on the test digits
    label_smoothing: float = 0.0  # the training loss's (0: plain cross-entropy)
    augment: DigitJitter | None = None  # how each epoch's training digits were moved (None: not at all)

    @property
    def labels(self) -> np.ndarray:
        """True classes of the test digits, (n_test,) int64."""
        return self.data.test_y.numpy()

    @property
    def parameters(self) -> pd.DataFrame:
        """The model's parameter tensors (name, shape, count) and a total row."""
        return parameter_table(self.model)


def mnist_sizes(n_train: int, n_test: int, val_fraction: float) -> dict[str, int]:
    """The sizes a cost or size check needs: 28 rows of 28 pixels, 10 classes, digits fitted and scored."""
    n_val = round(n_train * val_fraction)
    return {"input_size": PIXELS, "output_size": N_CLASSES, "seq_len": ROWS, "n_train": n_train - n_val,
            "n_eval": n_val + n_test}


def check_val_fraction(val_fraction: float) -> None:
    """Raise a ValueError that says what is allowed unless ``val_fraction`` is in [0, 0.5]."""
    if not 0.0 <= val_fraction <= 0.5:
        raise ValueError(f"val_fraction must be in [0, 0.5] (a share of the training digits); "
                         f"got {val_fraction!r}")


def split_validation(
    labels: torch.Tensor, val_fraction: float, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices (fitting, validation) of training digits: each class gives ``val_fraction`` of its digits.

    How many land on each side depends only on the labels and the share, not on ``seed``.

    Every class keeps at least one digit to fit on (at most half is held back, rounded half to even).

    Raises:
        ValueError: a share outside [0, 0.5].
    """
    check_val_fraction(val_fraction)
    fit_idx, val_idx = stratified_split(labels.numpy(), val_fraction, seed)
    return torch.from_numpy(np.sort(fit_idx)), torch.from_numpy(np.sort(val_idx))


def train_classifier(
    data: MnistData,
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    callbacks: Sequence[object] = (),
    stop: threading.Event | None = None,
    val_fraction: float = VAL_FRACTION,
    label_smoothing: float = 0.0,
    augment: DigitJitter | None = None,
) -> ClassifierResult:
    """Train a recurrent digit classifier and judge it on the held-out test digits.

    The model reads 28 rows of 28 pixels and names one of 10 classes. A stratified
    ``val_fraction`` of the training digits (split by ``train_cfg.seed``) is held back as
    validation data: with
    ``train_cfg.restore_best`` the epoch with the lowest validation loss is kept (also when
    training is stopped early), and early stopping watches it too. The test digits are
    scored alongside for the curves but never choose anything, so the final test accuracy
    is an honest estimate. ``EpochProgress.metrics`` carries ``train_accuracy``,
    ``val_accuracy`` (with validation data), ``test_loss`` and ``test_accuracy``.

    ``label_smoothing`` (0 to below 1) smooths the cross-entropy (``tasks.Classification``);
    ``augment`` moves each epoch's fitting digits a little (never the validation or test digits).

    Raises:
        ValueError: images that are not (N, 28, 28), a ``val_fraction`` outside [0, 0.5],
            a ``label_smoothing`` outside [0, 1), or an invalid configuration.
    """
    for name, x in (("train", data.train_x), ("test", data.test_x)):
        if x.ndim != 3 or tuple(x.shape[1:]) != (ROWS, PIXELS):
            raise ValueError(f"{name} digits must be (N, 28, 28); got {tuple(x.shape)}")
    task = Classification(label_smoothing=label_smoothing)
    fit_idx, val_idx = split_validation(data.train_y, val_fraction, train_cfg.seed)
    dataset = SequenceDataset(
        (data.train_x[fit_idx], data.train_y[fit_idx]),
        (data.train_x[val_idx], data.train_y[val_idx]) if len(val_idx) else None,
        (data.test_x, data.test_y), CLASSES, name=data.description)
    # as train_sequence_classifier, with this task and the jitter
    with seeded(train_cfg.seed):
        model = build_model(model_cfg, input_size=PIXELS, output_size=N_CLASSES, seq_len=ROWS)
    history = fit(model, dataset.train, dataset.val, train_cfg, task, callbacks, stop,
                  monitor={"test": dataset.test}, train_transform=augment)
    r = judge(model, dataset.test, N_CLASSES, dataset.train[1].numpy())
    return ClassifierResult(model, model_cfg, train_cfg, data, history, r["probabilities"], r["predictions"],
                            r["accuracy"], r["per_class"], r["confusion"], n_train=len(fit_idx),
                            n_val=len(val_idx), majority_accuracy=r["majority_accuracy"],
                            label_smoothing=label_smoothing, augment=augment)


def belief_method(model_cfg: ModelConfig) -> BeliefMethod:
    """How ``reading_beliefs`` reads a model by default.

    "stepwise": a one-way model with the last-step head has a real belief after each row:
    its head applied to that step's output (a pooled head: to the pool of outputs 1..t, what
    it answers for a digit of t rows). "masked": a bidirectional model reads the last
    row first, and the "all steps" head needs all 28 outputs, so neither has a belief
    after t rows; the closest honest stand-in is the full model run on the digit with the
    rows after t blanked to 0 (background).
    """
    return "stepwise" if model_cfg.head != "all" and not model_cfg.bidirectional else "masked"


@torch.no_grad()
def reading_beliefs(
    model: torch.nn.Module, digit: torch.Tensor | np.ndarray, method: BeliefMethod | None = None
) -> np.ndarray:
    """The model's probabilities over the ten classes after reading rows 1..28 of ``digit``.

    Args:
        model: a trained classifier of 28x28 digits.
        digit: one image (28, 28), float in [0, 1].
        method: "stepwise" or "masked" (see ``belief_method``); None picks the model's default.

    Returns:
        (28, 10) array: row t is the belief after t + 1 rows; each row sums to 1.

    Raises:
        ValueError: a digit of the wrong shape, an unknown method, or "stepwise" for a model
            that has no belief after each row (bidirectional or "all steps" head).
    """
    x = torch.as_tensor(np.asarray(digit, dtype=np.float32))
    if tuple(x.shape) != (ROWS, PIXELS):
        raise ValueError(f"a digit must be (28, 28); got {tuple(x.shape)}")
    method = method or belief_method(model.cfg)
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    x = x.to(device)
    try:
        if method == "stepwise":
            if belief_method(model.cfg) != "stepwise":
                raise ValueError('"stepwise" beliefs need a one-way model with the last-step or a pooled '
                                 'head; use "masked" for bidirectional models or the "all steps" head')
            logits = model.step_outputs(x[None])[0]  # (28, 10): the head's answer after every row
        elif method == "masked":
            keep = torch.tril(torch.ones(ROWS, ROWS, device=device))  # prefix t keeps rows 0..t
            logits = model(x[None] * keep[:, :, None])  # (28 prefixes, 10)
        else:
            raise ValueError(f'unknown method {method!r}; valid: stepwise, masked')
    finally:
        model.train(was_training)
    return torch.softmax(logits, dim=1).cpu().numpy()


def hardest_mistakes(probabilities: np.ndarray, labels: np.ndarray, n: int = 12) -> np.ndarray:
    """Indices of up to ``n`` wrongly classified digits, most confident wrong answer first."""
    probabilities, labels = np.asarray(probabilities), np.asarray(labels)
    pred = probabilities.argmax(1)
    wrong = np.flatnonzero(pred != labels)
    order = np.argsort(-probabilities[wrong, pred[wrong]], kind="stable")
    return wrong[order][:n]


def correct_examples(probabilities: np.ndarray, labels: np.ndarray, n: int = 10) -> np.ndarray:
    """Indices of up to ``n`` correctly classified digits: the first of each class in turn."""
    probabilities, labels = np.asarray(probabilities), np.asarray(labels)
    right = probabilities.argmax(1) == labels
    picks: list[int] = []
    for cls in range(N_CLASSES):
        hits = np.flatnonzero(right & (labels == cls))
        if len(hits):
            picks.append(int(hits[0]))
    return np.array(picks[:n], dtype=np.int64)
