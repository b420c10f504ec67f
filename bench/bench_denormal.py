"""Denormal benchmark: the Recommended forecast preset with early stopping off, per-epoch times.

Run: ``python bench/bench_denormal.py [--epochs 150] [--mode both|off|on] [--every 10]``.
Prints, every ``--every`` epochs, the seconds of the last epoch and how many values of each
kind of tensor are denormal (subnormal float32: nonzero, below 1.18e-38 in magnitude), then the
total time per mode. ``off`` trains as fit does by default, ``on`` with
``torch.set_flush_denormal(True)`` (denormals read and written as zero). One torch thread, as
the app's jobs. Numbers are wall-clock on a shared machine: compare the two modes' ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch
from torch.optim.optimizer import register_optimizer_step_post_hook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.data import load_bundled  # noqa: E402
from lstm_core.forecasting import train_forecaster  # noqa: E402
from lstm_core.presets import RECOMMENDED, last_rows  # noqa: E402
from lstm_core.progress import Callback, EpochProgress  # noqa: E402

TINY = torch.finfo(torch.float32).tiny  # 1.18e-38, the smallest normal float32


def denormals(t: torch.Tensor) -> int:
    """How many entries of ``t`` are subnormal (nonzero, smaller than the smallest normal)."""
    a = t.detach().abs()
    return int(((a > 0) & (a < TINY)).sum())


class Watch(Callback):
    """Per-epoch wall time, and denormal counts in weights, gradients and Adam's state."""

    def __init__(self, every: int) -> None:
        self.every, self.opt, self.times, self.last = every, None, [], None
        register_optimizer_step_post_hook(self._grab)

    def _grab(self, opt: torch.optim.Optimizer, *_: object) -> None:
        self.opt = opt

    def on_epoch_end(self, progress: EpochProgress) -> None:
        now = time.perf_counter()
        self.times.append(now - (self.last or now - progress.elapsed))
        self.last = now
        if progress.epoch % self.every and progress.epoch != 1:
            return
        counts = {"weights": 0, "grads": 0, "exp_avg": 0, "exp_avg_sq": 0}
        size = 0
        for group in self.opt.param_groups if self.opt else []:
            for p in group["params"]:
                size += p.numel()
                counts["weights"] += denormals(p)
                counts["grads"] += denormals(p.grad) if p.grad is not None else 0
                state = self.opt.state.get(p, {})
                for key in ("exp_avg", "exp_avg_sq"):
                    counts[key] += denormals(state[key]) if key in state else 0
        found = "  ".join(f"{k} {v:>5}" for k, v in counts.items())
        where = [f"{tuple(p.shape)}: {denormals(p)}" for g in (self.opt.param_groups if self.opt else [])
                 for p in g["params"] if denormals(p)]
        found += f"   weights by shape: {', '.join(where) or '-'}"
        print(f"  epoch {progress.epoch:>4}  {self.times[-1]:6.3f} s   denormal of {size:,}: {found}",
              flush=True)


def run(epochs: int, flush: bool, every: int, weight_decay: float | None = None) -> float:
    torch.set_flush_denormal(flush)
    frame = last_rows(load_bundled("NVDA"), RECOMMENDED.last_rows)
    train = replace(RECOMMENDED.train, patience=None, epochs=epochs)
    if weight_decay is not None:
        train = replace(train, weight_decay=weight_decay)
    watch = Watch(every)
    start = time.perf_counter()
    train_forecaster(frame, RECOMMENDED.data, RECOMMENDED.model, train, [watch])
    total = time.perf_counter() - start
    first, last = sum(watch.times[:10]) / 10, sum(watch.times[-10:]) / 10
    print(f"flush_denormal={flush}: {epochs} epochs in {total:.1f} s; mean epoch, first 10: {first:.3f} s, "
          f"last 10: {last:.3f} s ({last / first:.1f}x)", flush=True)
    torch.set_flush_denormal(False)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--mode", choices=("both", "off", "on"), default="both")
    parser.add_argument("--every", type=int, default=10, help="print every N epochs")
    parser.add_argument("--weight-decay", type=float, help="instead of the preset's 1e-4 (0: see the cause)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    for flush in {"both": (False, True), "off": (False,), "on": (True,)}[args.mode]:
        run(args.epochs, flush, args.every, args.weight_decay)


if __name__ == "__main__":
    main()
