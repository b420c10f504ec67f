"""Light augmentation of images read row by row: a small random shift and rotation per digit.

``DigitJitter`` is a ``train_transform`` for ``lstm_core.training.fit``: at the start of every
epoch fit calls it on the training images (on the training device) and trains that epoch on
the result, so each epoch sees each digit moved a little differently, while validation and
test digits are never touched::

    x (N, rows, columns) in [0, 1]  -> the same shape: each image rotated by up to
    ``max_degrees`` about its centre and shifted by up to ``max_shift`` pixels in each
    direction (bilinear; what moves in from outside the frame is background 0)

The draws depend only on ``seed`` and the epoch, so a run repeats exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True, slots=True)
class DigitJitter:
    """Random shift (pixels) and rotation (degrees) of each image, drawn afresh every epoch."""

    max_shift: float = 2.0
    max_degrees: float = 10.0
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("max_shift", "max_degrees"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 45:
                raise ValueError(f"{name} must be a number from 0 to 45; got {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a whole number >= 0; got {self.seed!r}")

    def __call__(self, x: torch.Tensor, epoch: int) -> torch.Tensor:
        """Images ``x`` (N, rows, columns) moved for ``epoch``; a new tensor of the same shape and device."""
        if x.ndim != 3:
            raise ValueError(f"DigitJitter needs images (N, rows, columns); got shape {tuple(x.shape)}")
        n, rows, cols = x.shape
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)  # on the CPU: same on any device
        angle = (torch.rand(n, generator=g) * 2 - 1) * math.radians(self.max_degrees)
        shift = (torch.rand(n, 2, generator=g) * 2 - 1) * self.max_shift
        theta = torch.zeros(n, 2, 3)
        theta[:, 0, 0], theta[:, 0, 1] = torch.cos(angle), -torch.sin(angle)
        theta[:, 1, 0], theta[:, 1, 1] = torch.sin(angle), torch.cos(angle)
        # affine_grid works in [-1, 1] coordinates: one pixel is 2 / size
        theta[:, 0, 2], theta[:, 1, 2] = shift[:, 0] * 2 / cols, shift[:, 1] * 2 / rows
        theta = theta.to(device=x.device, dtype=x.dtype)
        grid = F.affine_grid(theta, [n, 1, rows, cols], align_corners=False)
        return F.grid_sample(x[:, None], grid, align_corners=False, padding_mode="zeros")[:, 0]
