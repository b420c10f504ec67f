"""What a training run will cost on this machine, said before it starts.

The estimate adds three costs that this process measures once on small recurrent nets: a fixed
cost per optimiser step, a cost per time step (torch steps through time kernel by kernel; the
hand-written RNN in Python) and a cost per floating-point operation, counted as::

    flops per step ~ 3 x 2 x batch x seq_len x sum over layers and directions of gates x H x (in + H)

It is an estimate within a factor of about two on an idle machine (a busy one is slower): read
it as "seconds, minutes or hours", which is what a warning needs.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass

import torch

from lstm_core.config import ModelConfig, TrainConfig

_GATES = {"RNN": 1, "LSTM": 4, "GRU": 3, "HandRNN": 1}
# fit's own work around each step (batches, metrics, evaluation bookkeeping): measured at about twice
# the bare step of the probes on the MNIST page's Recommended preset (1.2 s per epoch against 0.53 s).
FIT_OVERHEAD = 2.0
# Warn when an epoch or a whole run would take longer than this (seconds).
SLOW_EPOCH_S = 60.0
SLOW_RUN_S = 15 * 60.0


def step_flops(
    cfg: ModelConfig, *, input_size: int, output_size: int, seq_len: int, batch_size: int
) -> float:
    """Floating-point operations of one training step (forward and backward) on one batch."""
    h, d = cfg.hidden_size, cfg.num_directions
    per_step = 0.0
    for layer in range(cfg.num_layers):
        layer_in = input_size if layer == 0 else d * h
        per_step += d * _GATES[cfg.cell] * h * (layer_in + h)
    if cfg.cell == "HandRNN":  # i2o reads [x, h] at every step too
        per_step += output_size * (input_size + h)
    head = d * h * (seq_len if cfg.head == "all" else 1) * output_size
    return 3.0 * 2.0 * batch_size * (seq_len * per_step + head)


def _time_step(hidden: int, seq_len: int, repeats: int = 7) -> float:
    """Median time of one Adam step (gradients clipped, as fit does) of a one-layer LSTM, 32 sequences."""
    from lstm_core.models import build_model  # models imports config only; keep this module light

    cfg = ModelConfig(cell="LSTM", hidden_size=hidden, num_layers=1)
    model = build_model(cfg, input_size=16, output_size=4)
    opt = torch.optim.Adam(model.parameters())
    x, y = torch.randn(32, seq_len, 16), torch.randint(0, 4, (32,))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        float(loss.detach())  # wait for the step, as fit does when it reads the loss
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


# The costs (per step, per time step and layer, per flop) that any machine training here falls between.
_LOWEST, _HIGHEST = (1e-4, 1e-6, 1e-12), (5e-3, 2e-4, 2e-10)


@functools.cache
def _measured_rate() -> tuple[float, float, float]:
    """(seconds per step, per time step and layer, per flop) of this process, measured once (~0.5 s).

    Three small nets separate the three costs: a fixed one per optimiser step, one per time step
    (torch steps through time one small kernel at a time) and one per floating-point operation.
    """
    probes = [(64, 4), (64, 32), (256, 32)]
    rows, times = [], []
    for hidden, seq_len in probes:
        cfg = ModelConfig(cell="LSTM", hidden_size=hidden, num_layers=1)
        flops = step_flops(cfg, input_size=16, output_size=4, seq_len=seq_len, batch_size=32)
        rows.append([1.0, seq_len, flops])
        times.append(_time_step(hidden, seq_len))
    a, b = torch.tensor(rows, dtype=torch.float64), torch.tensor(times, dtype=torch.float64)[:, None]
    solved = torch.linalg.solve(a, b)[:, 0].tolist()
    # A load spike during one probe can throw the solution far off: keep each cost within what any
    # machine that trains here does (a warning must not appear for a tiny run on a busy moment).
    fixed, per_t, per_flop = (min(max(v, low), high) for v, low, high in zip(
        solved, _LOWEST, _HIGHEST, strict=True))
    return fixed, per_t, per_flop


@dataclass(frozen=True)
class Cost:
    epoch_s: float  # estimated seconds per epoch on this machine, idle
    run_s: float  # for all epochs (or the step budget)
    steps_per_epoch: int

    def warning(self) -> str:
        """A sentence for settings that would take very long here, else ""."""
        if self.epoch_s < SLOW_EPOCH_S and self.run_s < SLOW_RUN_S:
            return ""
        return (f"These settings would take very long on this machine: about {_duration(self.epoch_s)} per "
                f"epoch and {_duration(self.run_s)} in all (an estimate; longer while the machine is busy). "
                "A smaller hidden size, fewer layers, a shorter sequence or fewer epochs is much faster.")


def training_cost(
    cfg: ModelConfig, *, input_size: int, output_size: int, seq_len: int, n_train: int, batch_size: int,
    epochs: int, max_steps: int | None = None, n_eval: int = 0,
    rates: tuple[float, float, float] | None = None,
) -> Cost:
    """Estimated time of a run, from its settings and the data's sizes (see the module docstring).

    ``n_eval`` counts the sequences scored (forward only, a third of a training step's work) after
    every epoch: validation and monitored data. ``rates`` (per step, per time step, per flop)
    replaces this process's measured costs.
    """
    fixed, per_t, per_flop = rates or _measured_rate()
    steps = max(1, math.ceil(n_train / batch_size))
    flops = step_flops(cfg, input_size=input_size, output_size=output_size, seq_len=seq_len,
                       batch_size=min(batch_size, n_train))
    # the hand-written RNN steps through time in Python: several small operations per step
    per_step = per_t * (4 if cfg.cell == "HandRNN" else cfg.num_layers * cfg.num_directions)
    step_s = FIT_OVERHEAD * (fixed + seq_len * per_step + flops * per_flop)
    eval_s = step_s * steps * n_eval / n_train / 3  # forward only, over n_eval sequences
    total_steps = steps * epochs if max_steps is None else min(steps * epochs, max_steps)
    epoch_s = step_s * steps + eval_s
    return Cost(epoch_s, epoch_s * total_steps / steps, steps)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def check_settings(model: ModelConfig, train: TrainConfig, *, input_size: int, output_size: int,
                   seq_len: int, n_train: int, n_eval: int = 0) -> tuple[str, str]:
    """(an error when the model is over the size cap, a warning when it would take very long here).

    Both are said before anything is built or trained (``count_parameters`` works on the meta
    device); empty strings when all is well. The pages and the command line ask this one check.
    """
    from lstm_core.models import MAX_PARAMETERS, count_parameters

    n = count_parameters(model, input_size=input_size, output_size=output_size, seq_len=seq_len)
    if n > MAX_PARAMETERS:
        return (f"This model would have {n:,} parameters; the limit here is {MAX_PARAMETERS:,}: use a "
                "smaller hidden size or fewer layers."), ""
    run = {"input_size": input_size, "output_size": output_size, "seq_len": seq_len,
           "n_train": max(n_train, 1), "batch_size": train.batch_size, "epochs": train.epochs,
           "max_steps": train.max_steps, "n_eval": n_eval}
    if not training_cost(model, rates=_HIGHEST, **run).warning():
        return "", ""  # not slow even on the slowest machine: no need to measure this one (about 1 s)
    return "", training_cost(model, **run).warning()
