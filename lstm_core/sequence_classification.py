"""Any sequence classification task: a dataset of (padded) sequences -> a trained, judged classifier.

    SequenceDataset: train / val / test parts, each (x (N, T, F) float32, y (N,) int64, lengths or None)
      -> build_model(cfg, input_size=F, output_size=classes, seq_len=T)
      -> fit() on train; validation alone picks the kept epoch and early stopping; test is only watched
      -> test probabilities, accuracy beside the majority-class baseline, balanced accuracy,
         macro-F1, per-class accuracy and the confusion matrix

MNIST (rows as steps), the surnames of seed 004 (characters as steps, padded with lengths) and
the long-memory tasks of the Compare page all train through ``train_sequence_classifier``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from lstm_core.config import ModelConfig, TrainConfig
from lstm_core.metrics import (
    accuracy,
    balanced_accuracy,
    confusion_matrix,
    macro_f1,
    majority_accuracy,
    per_class_accuracy,
)
from lstm_core.models import build_model
from lstm_core.progress import History
from lstm_core.tasks import CLASSIFICATION
from lstm_core.training import Part, fit, predict, seeded

if TYPE_CHECKING:  # only a type: jobs import nothing from here
    from lstm_core.jobs import JobContext


@dataclass(frozen=True)
class SequenceDataset:
    """Labelled sequences split into parts; ``classes[k]`` names class k."""

    train: Part
    val: Part | None
    test: Part
    classes: tuple[str, ...]
    name: str = "sequences"

    def __post_init__(self) -> None:
        parts = {"train": self.train, "test": self.test} | ({} if self.val is None else {"val": self.val})
        widths = {name: tuple(part[0].shape[2:]) for name, part in parts.items()}
        if len(set(widths.values())) != 1 or any(part[0].ndim != 3 for part in parts.values()):
            raise ValueError(f"every part must be (N, T, features) with the same features; got {widths}")
        for name, part in parts.items():
            y = part[1]
            if len(y) and (int(y.min()) < 0 or int(y.max()) >= len(self.classes)):
                raise ValueError(f"{name} labels must be 0 to {len(self.classes) - 1}")

    @property
    def input_size(self) -> int:
        return int(self.train[0].shape[2])

    @property
    def seq_len(self) -> int:
        return int(self.train[0].shape[1])


def _lengths(part: Part) -> torch.Tensor | None:
    return part[2] if len(part) > 2 else None


@dataclass(frozen=True)
class SequenceClassifierResult:
    """A trained classifier and how it does on the test part."""

    model: nn.Module
    model_cfg: ModelConfig
    train_cfg: TrainConfig
    dataset: SequenceDataset
    history: History
    probabilities: np.ndarray  # (n_test, classes)
    predictions: np.ndarray  # (n_test,)
    accuracy: float
    majority_accuracy: float  # always answering the most common training class
    balanced_accuracy: float
    macro_f1: float
    per_class: np.ndarray  # (classes,) recall, NaN for a class without test samples
    confusion: np.ndarray  # (classes, classes) counts, confusion[true, predicted]


def class_probabilities(model: nn.Module, x: torch.Tensor, lengths: torch.Tensor | None = None) -> np.ndarray:
    """Softmax over the classes for sequences ``x`` (N, T, F): (N, classes) float32."""
    device = next(model.parameters()).device
    out = predict(model, x.to(device), None if lengths is None else lengths.to(device))
    return CLASSIFICATION.read(out).cpu().numpy()


def judge(model: nn.Module, part: Part, n_classes: int, train_labels: np.ndarray) -> dict:
    """Probabilities, predictions and every score of ``model`` on one part."""
    probs = class_probabilities(model, part[0], _lengths(part))
    labels, pred = part[1].numpy(), probs.argmax(1)
    cm = confusion_matrix(labels, pred, n_classes)
    return {"probabilities": probs, "predictions": pred, "accuracy": accuracy(labels, pred),
            "majority_accuracy": majority_accuracy(train_labels, labels),
            "balanced_accuracy": balanced_accuracy(cm), "macro_f1": macro_f1(cm),
            "per_class": per_class_accuracy(cm), "confusion": cm}


def train_sequence_classifier(
    dataset: SequenceDataset,
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    callbacks: Sequence[object] = (),
    stop: threading.Event | None = None,
) -> SequenceClassifierResult:
    """Build a classifier for ``dataset``, train it and judge it on the test part.

    The model is built under ``train_cfg.seed``, so the same seed gives the same initial weights.
    The test part is scored as training goes (``test_loss``, ``test_accuracy`` in the epoch
    metrics) but never picks weights or stops training.

    Raises:
        ValueError: an invalid dataset or configuration.
    """
    with seeded(train_cfg.seed):
        model = build_model(model_cfg, input_size=dataset.input_size, output_size=len(dataset.classes),
                            seq_len=dataset.seq_len)
    history = fit(model, dataset.train, dataset.val, train_cfg, CLASSIFICATION, callbacks, stop,
                  monitor={"test": dataset.test})
    scores = judge(model, dataset.test, len(dataset.classes), dataset.train[1].numpy())
    return SequenceClassifierResult(model, model_cfg, train_cfg, dataset, history, **scores)


def train_in_turn(
    ctx: JobContext, dataset: SequenceDataset, models: dict[str, ModelConfig], train_cfg: TrainConfig
) -> dict[str, SequenceClassifierResult]:
    """A job function: train each model on the same data in turn, its records tagged with its label.

    Runs in a worker (``lstm_core.jobs.TrainingJob(train_in_turn, (dataset, models, train_cfg))``);
    the job's one Stop ends the model training now and skips the rest.
    """
    results = {}
    for label, cfg in models.items():
        if ctx.stop_event.is_set():
            break
        results[label] = train_sequence_classifier(dataset, cfg, train_cfg, [ctx.run(label)], ctx.stop_event)
    return results
