"""Reading a model: predictions and scores on whole parts of the data, batched to bound memory.

A part is ``(x, y)`` or ``(x, y, lengths)``: x is (N, T, F), zero-padded past each sequence's
length when lengths (N,) int64 are given (names, characters); y is what the task wants.
"""

from __future__ import annotations

import torch
from torch import nn

from lstm_core.tasks import REGRESSION, Task

# A part of the data: (x, y) or (x, y, lengths). x is (N, T, F), zero-padded past each
# sequence's length when lengths (N,) int64 are given (names, characters); y as the task wants.
Part = tuple[torch.Tensor, ...]


def unpack(part: Part) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    x, y, *rest = part
    return x, y, (rest[0] if rest else None)


def call_model(model: nn.Module, x: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    if lengths is None:
        return model(x)
    return model(x[:, : int(lengths.max())], lengths)  # trim the batch's padding: packing pays


@torch.no_grad()
def predict(
    model: nn.Module, x: torch.Tensor, lengths: torch.Tensor | None = None, batch_size: int = 2048
) -> torch.Tensor:
    """Model outputs for ``x`` (and ``lengths``) in eval mode, on ``x``'s device, batched to bound memory."""
    was_training = model.training
    model.eval()
    try:
        parts = [call_model(model, x[i : i + batch_size],
                             None if lengths is None else lengths[i : i + batch_size])
                 for i in range(0, len(x), batch_size)]
    finally:
        model.train(was_training)
    return torch.cat(parts) if parts else torch.empty(0)


def evaluate(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, task: Task = REGRESSION,
    lengths: torch.Tensor | None = None, batch_size: int = 2048,
) -> tuple[float, dict[str, float]]:
    """Mean loss and the task's metrics (accuracy for classification) of ``model`` on ``(x, y)``."""
    out = predict(model, x, lengths, batch_size)
    return float(task.loss_function()(out, y)), task.metrics(out, y)


def check_data(name: str, part: Part) -> None:
    if not isinstance(part, tuple | list) or len(part) not in (2, 3):
        raise ValueError(f"{name} must be (x, y) or (x, y, lengths)")
    x, y, lengths = unpack(part)
    if x.ndim != 3:
        raise ValueError(f"{name} inputs must be (samples, seq_len, features); got shape {tuple(x.shape)}")
    if len(x) != len(y):
        raise ValueError(f"{name} has {len(x)} inputs but {len(y)} targets")
    if lengths is not None and (lengths.shape != (len(x),) or (len(x) and not (
            int(lengths.min()) >= 1 and int(lengths.max()) <= x.shape[1]))):
        raise ValueError(f"{name} lengths must be ({len(x)},) whole numbers from 1 to {x.shape[1]}")
