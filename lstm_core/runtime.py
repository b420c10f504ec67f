"""Where and how reproducibly training runs: seeds, devices and the CPU's floating-point mode.

Python's, NumPy's and torch's default generators are process-wide. Training jobs run in worker
processes (one job each), but the core is also used from threads (tests, the command line,
a server's own sessions), so seeding and then drawing holds a lock.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

# Seeding and then drawing must not interleave with another thread's.
RNG_LOCK = threading.RLock()


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch so that model initialisation repeats exactly."""
    with RNG_LOCK:
        random.seed(seed)
        np.random.seed(seed % 2**32)
        torch.manual_seed(seed)


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Seed every generator and hold them for the block (e.g. building a model's initial weights).

    Other threads that seed through ``seed_everything`` or ``seeded`` wait meanwhile, so two
    sessions of one server that start training at once each get exactly their seed's initial
    weights. The limit: dropout draws during training are not locked, so a run with dropout
    that trains while another session starts may not repeat its dropout masks exactly.
    """
    with RNG_LOCK:
        seed_everything(seed)
        yield


def resolve_device(device: str = "auto") -> torch.device:
    """``"auto"`` picks CUDA when present, then Apple's MPS, else the CPU."""
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} was requested but CUDA is not available; use 'auto' or 'cpu'")
    if device == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError("device 'mps' was requested but Apple's MPS is not available; use 'auto' or 'cpu'")
    return torch.device(device)


@contextmanager
def flushed_denormals() -> Iterator[None]:
    """Treat subnormal floats (below 1.2e-38) as zero in this thread's arithmetic for the block.

    Weight decay pulls weights that get almost no gradient (an LSTM whose zero head ties the
    naive forecast) towards zero until they turn subnormal, and CPU arithmetic on subnormals is
    tens of times slower: the Recommended forecast preset run past ~100 epochs slowed twentyfold
    per epoch. Flushed to zero they cost nothing and change no result that matters.
    ``bench/bench_denormal.py`` measures both ways. The setting is the thread's (its CPU flags), so
    it is put back afterwards: plain Python and NumPy arithmetic in the caller keeps its subnormals.
    """
    was_on = float(torch.tensor([1e-40]) * 1.0) == 0.0  # torch has no getter for the flag
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if not was_on:
            torch.set_flush_denormal(False)
