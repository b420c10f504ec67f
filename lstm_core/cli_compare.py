"""The ``compare`` command: train several cells on a long-memory task, side by side, or sweep over T.

    python -m lstm_core compare --task temporal-order --length 100 --models RNN,LSTM,GRU --summary out.json
    python -m lstm_core compare --task adding --lengths 10,20,50,100 --models RNN,LSTM

Prints one line per model (and length): test metric, chance or baseline, parameters, seconds.
``lstm_core.cli`` registers it with ``add_parser(subparsers)`` and calls ``run(args)``; bad input
raises ValueError, which the main command prints as one ``error:`` line (exit status 2).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from lstm_core.compare import (
    DEFAULTS,
    MODEL_CHOICES,
    CompareDefaults,
    RunResult,
    compare_models,
    equal_parameter_sizes,
    model_choices,
)
from lstm_core.memory_tasks import MEMORY_TASKS, memory_task
from lstm_core.progress import Callback, EpochProgress
from lstm_core.sweep import SweepPoint, sweep


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``compare`` to the main command's subparsers."""
    p = subparsers.add_parser("compare", help="RNN vs LSTM vs GRU side by side on a long-memory task",
                              description=__doc__.split("\n")[0])
    p.add_argument("--task", default="temporal-order", help=f"one of {', '.join(MEMORY_TASKS)}")
    p.add_argument("--length", type=int, default=DEFAULTS.length,
                   help=f"sequence length T (default {DEFAULTS.length})")
    p.add_argument("--lengths", help="comma-separated lengths for a sweep, e.g. 10,20,50,100 (not --length)")
    p.add_argument("--models", default=",".join(DEFAULTS.models),
                   help=f"comma-separated, from {', '.join(MODEL_CHOICES)} "
                   f"(default: {','.join(DEFAULTS.models)})")
    p.add_argument("--seed", type=int, default=0, help="seeds the data, the weights and the shuffling")
    p.add_argument("--epochs", type=int, help=f"budget per model (default {DEFAULTS.epochs})")
    p.add_argument("--hidden-size", type=int, help=f"units per model (default {DEFAULTS.hidden_size})")
    p.add_argument("--lr", type=float, help=f"Adam learning rate (default {DEFAULTS.lr:g})")
    p.add_argument("--batch-size", type=int, help=f"sequences per step (default {DEFAULTS.batch_size})")
    p.add_argument("--forget-bias", type=float,
                   help=f"LSTM forget-gate bias (default {DEFAULTS.forget_bias:g})")
    p.add_argument("--n-train", type=int, help=f"training sequences (default {DEFAULTS.n_train})")
    p.add_argument("--equal-params", type=int, metavar="BUDGET",
                   help="size every model's hidden units to about this many parameters (within 5%%)")
    p.add_argument("--summary", type=Path, help="JSON summary to write")
    p.add_argument("--no-progress", action="store_true", help="no per-epoch lines on stderr")
    return p


class _EpochLines(Callback):
    """One line per epoch on stderr, tagged with the run."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def on_epoch_end(self, progress: EpochProgress) -> None:
        scores = " ".join(f"{k} {v:.4f}" for k, v in progress.metrics.items())
        print(f"  {self.tag} epoch {progress.epoch}/{progress.epochs} loss {progress.train_loss:.4f} "
              f"{scores} ({progress.elapsed:.0f}s)", file=sys.stderr, flush=True)


def _lengths(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"--lengths must be whole numbers separated by commas; got {text!r}") from None
    if not values:
        raise ValueError("--lengths needs at least one length")
    return values


def _defaults(args: argparse.Namespace) -> CompareDefaults:
    flags = {"epochs": args.epochs, "hidden_size": args.hidden_size, "lr": args.lr,
             "batch_size": args.batch_size, "forget_bias": args.forget_bias, "n_train": args.n_train}
    return replace(DEFAULTS, **{k: v for k, v in flags.items() if v is not None})


def _format(metric: str, value: float) -> str:
    return f"{value:.1%}" if metric == "accuracy" else f"{value:.4g}"


def _line(label: str, length: int, metric: str, value: float, level: float, params: int, seconds: float,
          epochs: int) -> str:
    level_name = "chance" if metric == "accuracy" else "baseline"
    return (f"T={length:<4d} {label:<13s} test {metric} {_format(metric, value):>7s}  "
            f"({level_name} {_format(metric, level)})  {params:>7,d} parameters  {seconds:6.1f} s "
            f"({epochs} epochs)")


def run(args: argparse.Namespace) -> None:
    """Run a comparison or a sweep; print a line per result; write the summary. Raises ValueError."""
    spec = memory_task(args.task)
    defaults = _defaults(args)
    train_cfg = defaults.train_config(seed=args.seed)  # validates epochs, lr, batch size
    runs = model_choices(args.models, defaults)
    lengths = _lengths(args.lengths) if args.lengths else [args.length]
    data_cfgs = [defaults.data_config(t, seed=args.seed) for t in lengths]  # validates every T first
    if args.equal_params is not None:
        sized = equal_parameter_sizes([cfg for _, cfg in runs], args.equal_params,
                                      input_size=spec.input_size, output_size=spec.output_size,
                                      seq_len=max(lengths))
        runs = [(label, cfg) for (label, _), cfg in zip(runs, sized, strict=True)]
    progress = None if args.no_progress else (lambda label, t=None: [_EpochLines(f"{label} T={t}")])
    records: list[dict[str, Any]] = []

    def report(label: str, length: int, value: float, level: float, params: int, seconds: float,
               epochs: int) -> None:
        print(_line(label, length, spec.metric, value, level, params, seconds, epochs), flush=True)
        level_key = "chance" if spec.metric == "accuracy" else "baseline_mse"
        records.append({"model": label, "length": length, "metric": spec.metric, "test_metric": value,
                        level_key: level, "parameters": params, "training_seconds": seconds,
                        "epochs_run": epochs})

    if args.lengths:
        def on_point(p: SweepPoint) -> None:
            report(p.label, p.length, p.metric, p.baseline, p.parameters, p.seconds, p.epochs_run)

        sweep(spec.name, lengths, runs, train_cfg, defaults=defaults, data_seed=args.seed, on_point=on_point,
              callbacks_for=progress)
    else:
        per_run = (lambda label: progress(label, lengths[0])) if progress else None
        result = compare_models(spec.name, data_cfgs[0], runs, train_cfg, callbacks_for=per_run)
        r: RunResult
        for r in result.runs:
            report(r.label, lengths[0], r.metric, r.baseline, r.parameters, r.seconds, r.epochs_run)
    if args.summary:
        settings = asdict(defaults) | {"models": [label for label, _ in runs], "lengths": lengths}
        summary = {"task": spec.name, "definition": spec.definition, "seed": args.seed, "settings": settings,
                   "model_configs": {label: asdict(cfg) for label, cfg in runs}, "results": records}
        args.summary.parent.mkdir(parents=True, exist_ok=True)
        args.summary.write_text(json.dumps(summary, indent=2, default=str))
