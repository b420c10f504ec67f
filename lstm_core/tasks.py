"""What a model is trained to do: its loss, its metrics and how its outputs are read.

``fit``, ``evaluate`` and the run files take a ``Task`` object rather than a string, so a new
kind of task is one new class here and nothing else changes::

    REGRESSION      out (batch, outputs) real values,  y (batch, outputs) float   -> MSE
    CLASSIFICATION  out (batch, classes) logits,       y (batch,) int64 classes   -> cross-entropy
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class Task:
    """Base of the tasks; ``name`` is what a run file stores."""

    name: str

    def loss_function(self) -> nn.Module:
        raise NotImplementedError

    def correct(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor | None:
        """Right answers in a batch (a 0-d tensor, summed without a sync), or None if the task has none."""
        return None

    def metrics(self, out: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        """Metrics besides the loss for a whole part (e.g. accuracy)."""
        correct = self.correct(out, y)
        return {} if correct is None else {"accuracy": float(correct) / max(len(y), 1)}

    def read(self, out: torch.Tensor) -> torch.Tensor:
        """Outputs as a user reads them: values, or class probabilities."""
        return out


@dataclass(frozen=True)
class Regression(Task):
    name: str = "regression"

    def loss_function(self) -> nn.Module:
        return nn.MSELoss()


@dataclass(frozen=True)
class Classification(Task):
    """Cross-entropy on logits; ``label_smoothing`` in [0, 1) trains towards 1 - s on the true class
    (and s spread evenly over all classes) instead of 1, so the model is not pushed to ever more
    confident logits: ``Classification(label_smoothing=0.1)``. It is a training setting only: a
    run file stores the task's name, and its loss (validation, test) is the smoothed one too."""

    name: str = "classification"
    label_smoothing: float = 0.0

    def __post_init__(self) -> None:
        s = self.label_smoothing
        if isinstance(s, bool) or not isinstance(s, int | float) or not 0.0 <= s < 1.0:
            raise ValueError(f"label_smoothing must be a number in [0, 1); got {s!r}")

    def loss_function(self) -> nn.Module:
        # CrossEntropy on logits == NLLLoss on LogSoftmax (the seeds' pairing), in one stable step.
        return nn.CrossEntropyLoss(label_smoothing=float(self.label_smoothing))

    def correct(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return (out.detach().argmax(1) == y).sum()

    def read(self, out: torch.Tensor) -> torch.Tensor:
        return torch.softmax(out, dim=1)


REGRESSION = Regression()
CLASSIFICATION = Classification()
