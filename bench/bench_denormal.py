"""Denormal benchmark: the forecast setting that once slowed twentyfold, early stopping off, per-epoch times.

Run: ``python bench/bench_denormal.py [--epochs 150] [--mode both|off|on] [--every 10]``.
Prints, every ``--every`` epochs, the seconds of the last epoch and how many values of each
kind of tensor are denormal (subnormal float32: nonzero, below 1.18e-38 in magnitude), then the
total time per mode. ``on`` trains as fit does (it flushes denormals to zero:
``lstm_core.runtime.flushed_denormals``); ``off`` turns flushing off again once training has
started, as before the fix. The setting is fixed here (the Recommended preset of the time: LSTM 32,
a zero head predicting the change, Adam 3e-4 with weight decay 1e-4), so the benchmark keeps
catching the slowdown whatever the presets become: with the fix the last epochs are as fast as the
first. One torch thread, as the app's jobs. Wall-clock on a shared machine: compare the ratios.
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

from lstm_core.config import ForecastDataConfig, ModelConfig, TrainConfig  # noqa: E402
from lstm_core.data import load_bundled  # noqa: E402
from lstm_core.forecasting import build_forecaster, prepare_forecast_data  # noqa: E402
from lstm_core.progress import BatchProgress, Callback, EpochProgress  # noqa: E402
from lstm_core.training import fit, seeded  # noqa: E402

# The Recommended forecast preset when the slowdown was found (issue 10).
MODEL = ModelConfig(cell="LSTM", hidden_size=32, num_layers=1, head="last", forget_bias=None)
DATA = ForecastDataConfig(target_mode="change", seq_len=30, val_fraction=0.1, test_fraction=0.2)
TRAIN = TrainConfig(epochs=40, batch_size=64, lr=3e-4, weight_decay=1e-4, patience=None, seed=0)

TINY = torch.finfo(torch.float32).tiny  # 1.18e-38, the smallest normal float32


def denormals(t: torch.Tensor) -> int:
    """How many entries of ``t`` are subnormal (nonzero, smaller than the smallest normal)."""
    a = t.detach().abs()
    return int(((a > 0) & (a < TINY)).sum())


class Watch(Callback):
    """Per-epoch wall time, and denormal counts in weights, gradients and Adam's state."""

    def __init__(self, every: int, flush: bool) -> None:
        self.every, self.flush, self.opt, self.times, self.last = every, flush, None, [], None
        register_optimizer_step_post_hook(self._grab)

    def on_batch_end(self, progress: BatchProgress) -> None:
        if progress.step == 1:  # fit turns flushing on for its loop; "off" undoes it from step 1
            torch.set_flush_denormal(self.flush)

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
    data = prepare_forecast_data(load_bundled("NVDA").iloc[-2500:], DATA)
    train = replace(TRAIN, epochs=epochs)
    if weight_decay is not None:
        train = replace(train, weight_decay=weight_decay)
    with seeded(train.seed):
        model = build_forecaster(MODEL, DATA)
    torch.nn.init.zeros_(model.head.weight)  # starts at the naive forecast, as the preset did
    torch.nn.init.zeros_(model.head.bias)
    watch = Watch(every, flush)
    start = time.perf_counter()
    fit(model, data.tensors("train"), data.tensors("val"), train, callbacks=[watch])
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
    parser.add_argument("--weight-decay", type=float, help="instead of 1e-4 (0: see the cause)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    for flush in {"both": (False, True), "off": (False,), "on": (True,)}[args.mode]:
        run(args.epochs, flush, args.every, args.weight_decay)


if __name__ == "__main__":
    main()
