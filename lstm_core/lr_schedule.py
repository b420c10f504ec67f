"""Learning-rate schedules: the factor on ``TrainConfig.lr`` at each optimiser step.

    "constant": 1 throughout;  "cosine": 1 -> 0 along half a cosine over the run's steps.
    Either starts with a linear warm-up over the first ``warmup_fraction`` of the steps.

``fit`` applies the factor before every optimiser step (``scheduler``), so the step budget it
spreads over is the run's total (``epochs`` x batches per epoch, or ``max_steps`` if fewer).
"""

from __future__ import annotations

import math

import torch

from lstm_core.config import TrainConfig


def lr_factor(schedule: str, warmup_fraction: float, step: int, total_steps: int) -> float:
    """The multiple of the peak learning rate for optimiser step ``step`` (0-based) of ``total_steps``.

    Raises:
        ValueError: an unknown schedule.
    """
    warmup = int(warmup_fraction * total_steps)
    if step < warmup:
        return (step + 1) / warmup  # linear: the first step already moves, the last reaches the peak
    if schedule == "constant":
        return 1.0
    if schedule == "cosine":
        done = (step - warmup) / max(1, total_steps - warmup)
        return 0.5 * (1.0 + math.cos(math.pi * min(done, 1.0)))
    raise ValueError(f"unknown lr_schedule {schedule!r}; valid: constant, cosine")


def scheduler(
    opt: torch.optim.Optimizer, cfg: TrainConfig, total_steps: int
) -> torch.optim.lr_scheduler.LambdaLR | None:
    """A per-step scheduler for ``opt`` following ``cfg``; None when the rate is constant throughout."""
    if cfg.lr_schedule == "constant" and int(cfg.warmup_fraction * total_steps) == 0:
        return None
    return torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: lr_factor(cfg.lr_schedule, cfg.warmup_fraction, step, total_steps))
