"""Flags of the ``forecast`` and ``mnist`` commands, and how they map onto the config dataclasses.

A flag left out is None, so the config keeps its default (or the preset's value): the app, the
CLI and the tests share one set of defaults. ``lstm_core.cli`` adds these parsers; the commands
themselves are in ``lstm_core.cli_train``.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from lstm_core.config import (
    CELL_TYPES,
    HEADS,
    MNIST_SOURCES,
    OPTIMIZERS,
    SCALERS,
    TARGET_MODES,
    ForecastDataConfig,
    ModelConfig,
    TrainConfig,
)

MODEL_FLAGS = ("cell", "hidden_size", "num_layers", "dropout", "bidirectional", "head", "forget_bias")
TRAIN_FLAGS = ("epochs", "batch_size", "lr", "optimizer", "weight_decay", "grad_clip", "patience",
               "max_steps", "seed", "device")
DATA_FLAGS = ("target", "seq_len", "target_mode", "val_fraction", "test_fraction", "scaler")


def _add_model_train_flags(p: argparse.ArgumentParser) -> None:
    m, t = ModelConfig(), TrainConfig()
    g = p.add_argument_group("model (defaults: ModelConfig)")
    g.add_argument("--cell", choices=CELL_TYPES, help=f"recurrent layer (default {m.cell})")
    g.add_argument("--hidden-size", type=int, help=f"units per layer (default {m.hidden_size})")
    g.add_argument("--num-layers", type=int, help=f"stacked layers (default {m.num_layers})")
    g.add_argument("--dropout", type=float, help=f"between layers (default {m.dropout})")
    g.add_argument("--bidirectional", action=argparse.BooleanOptionalAction, help="read both ways")
    g.add_argument("--head", choices=HEADS, help=f"last step or all steps flattened (default {m.head})")
    g.add_argument("--forget-bias", type=float,
                   help=f"LSTM: initial forget-gate bias (default {m.forget_bias}, or the preset's)")
    g = p.add_argument_group("training (defaults: TrainConfig)")
    g.add_argument("--epochs", type=int, help=f"passes over the data (default {t.epochs})")
    g.add_argument("--batch-size", type=int, help=f"default {t.batch_size}")
    g.add_argument("--lr", type=float, help=f"learning rate (default {t.lr:g})")
    g.add_argument("--optimizer", choices=OPTIMIZERS, help=f"default {t.optimizer}")
    g.add_argument("--weight-decay", type=float, help=f"default {t.weight_decay}")
    g.add_argument("--grad-clip", type=float, help=f"max gradient norm (default {t.grad_clip})")
    g.add_argument("--patience", type=int, help="early stopping after N epochs without improvement")
    g.add_argument("--max-steps", type=int, help="stop after N optimiser steps")
    g.add_argument("--seed", type=int, help=f"default {t.seed}")
    g.add_argument("--device", help=f"auto, cpu, cuda, cuda:N, mps (default {t.device})")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def _add_outputs(p: argparse.ArgumentParser, default_out: str) -> None:
    p.add_argument("--out", type=Path, default=Path(default_out), help="run file to write")
    p.add_argument("--summary", type=Path, help="JSON summary to write (default: --out with .json)")


def add_forecast_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``forecast`` to the main command's subparsers."""
    d = ForecastDataConfig()
    fc = subparsers.add_parser("forecast", help="train a price forecaster on a CSV file or a bundled series")
    src = fc.add_mutually_exclusive_group()
    src.add_argument("--csv", type=Path, help="a CSV with a date column and numeric columns")
    src.add_argument("--bundled", metavar="TICKER", help="a bundled series (see `list`; default NVDA)")
    fc.add_argument("--period", default="max", help="bundled: keep the last 1y, 5y, 10y... (default max)")
    fc.add_argument("--date-column", help="CSV: the column holding dates (detected if omitted)")
    fc.add_argument("--date-format", help="CSV: the dates' strptime format, e.g. %%d/%%m/%%Y "
                    "(detected if omitted)")
    fc.add_argument("--dayfirst", action=argparse.BooleanOptionalAction, default=None,
                    help="CSV: read 03/04/2024 as 4 March; needed when every day is 12 or below")
    fc.add_argument("--preset", help="start from the page's settings: recommended or seed003 "
                    "(default: the config dataclasses' defaults)")
    fc.add_argument("--last-rows", type=int, help="train on the latest N rows only (0 = all rows)")
    g = fc.add_argument_group("data (defaults: ForecastDataConfig)")
    g.add_argument("--target", help=f"column to predict (default {d.target})")
    g.add_argument("--features", nargs="*", default=None, help="extra input columns")
    g.add_argument("--seq-len", type=int, help=f"past steps per window (default {d.seq_len})")
    g.add_argument("--target-mode", choices=TARGET_MODES, help=f"default {d.target_mode}")
    g.add_argument("--val-fraction", type=float, help=f"default {d.val_fraction}")
    g.add_argument("--test-fraction", type=float, help=f"default {d.test_fraction}")
    g.add_argument("--scaler", choices=SCALERS, help=f"default {d.scaler}")
    _add_model_train_flags(fc)
    _add_outputs(fc, "runs/forecast.pt")
    return fc


def add_mnist_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``mnist`` to the main command's subparsers."""
    mn = subparsers.add_parser("mnist", help="train a digit classifier on MNIST read row by row")
    mn.add_argument("--source", choices=MNIST_SOURCES, default="subset",
                    help="subset: 5,000 bundled digits (offline); full: download 70,000")
    mn.add_argument("--preset", default="default",
                    help="recommended (= default), seed000 (LSTM 100, SGD 0.1, 3,000 steps) or "
                    "seed002 (BiLSTM 12 x 2, all-steps head); flags override its settings")
    mn.add_argument("--train-limit", type=int, help="use at most N training digits")
    mn.add_argument("--test-fraction", type=float, help="held-out share of the subset")
    mn.add_argument("--val-fraction", type=float, default=None,
                    help="share of the training digits held back to pick the kept epoch (default 0.1)")
    _add_model_train_flags(mn)
    _add_outputs(mn, "runs/mnist.pt")
    return mn


def given(args: argparse.Namespace, names: Sequence[str]) -> dict[str, Any]:
    """The flags among ``names`` that were given on the command line, by config field name."""
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def model_train(
    args: argparse.Namespace, model: ModelConfig, train: TrainConfig
) -> tuple[ModelConfig, TrainConfig]:
    """``model`` and ``train`` with the given model and training flags applied (validated)."""
    return replace(model, **given(args, MODEL_FLAGS)), replace(train, **given(args, TRAIN_FLAGS))


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def find_preset(name: str, presets: Mapping[str, Any], default: str | None = None) -> Any:
    """Look a preset up by name, ignoring case, spaces and punctuation ("Seed 003" = "seed003").

    Args:
        name: the ``--preset`` value; "default" names ``default`` when one is given.
        presets: the presets by name.
        default: the preset that "default" stands for, if any.

    Raises:
        ValueError: no preset has that name; the message lists them.
    """
    if default is not None and _slug(name) == "default":
        name = default
    by_slug = {_slug(key): value for key, value in presets.items()}
    if _slug(name) not in by_slug:
        raise ValueError(f"unknown preset {name!r}; presets: {', '.join(by_slug)}")
    return by_slug[_slug(name)]
