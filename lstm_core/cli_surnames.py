"""The ``surnames`` command: train a surname-language classifier, or ask a trained one.

    python -m lstm_core surnames --model LSTM --summary out.json --out run.pt
    python -m lstm_core surnames --model seed004 --epochs 1      # the seed's one-name-at-a-time RNN
    python -m lstm_core surnames predict --run run.pt Nakamura O'Brien Kowalski

``lstm_core.cli`` registers it with ``add_parser(subparsers)`` and calls ``run(args)``; bad input
raises ValueError, which the main command prints as one ``error:`` line (exit status 2).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

MODEL_CHOICES = ("RNN", "LSTM", "GRU", "HandRNN", "seed004")
_TRAIN_FLAGS = ("epochs", "batch_size", "lr", "seed")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``surnames`` (train) and ``surnames predict`` to the main command's subparsers."""
    from lstm_core.surnames import TRAIN

    p = subparsers.add_parser(
        "surnames", help="which language is this surname? (seed 004)", description=__doc__.split("\n")[0]
    )
    p.add_argument(
        "--model",
        choices=MODEL_CHOICES,
        default="LSTM",
        help="RNN, LSTM, GRU, HandRNN (seed 004's cell, batched) or seed004 (the seed's own "
        "settings: HandRNN 128, one name per step, SGD 0.005); default LSTM",
    )
    p.add_argument("--hidden-size", type=int, help="units (default: the model's preset)")
    p.add_argument("--epochs", type=int, help=f"passes over the training names (default {TRAIN.epochs})")
    p.add_argument("--batch-size", type=int, help=f"names per step (default {TRAIN.batch_size}; seed004: 1)")
    p.add_argument("--lr", type=float, help=f"learning rate (default {TRAIN.lr:g}; seed004: 0.005)")
    p.add_argument("--seed", type=int, help="seeds the weights and the shuffling (default 0)")
    p.add_argument("--split-seed", type=int, default=0, help="seeds the train/val/test split (default 0)")
    p.add_argument("--out", type=Path, default=Path("runs/surnames.pt"), help="run file to write")
    p.add_argument("--summary", type=Path, help="JSON summary to write (default: --out with .json)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    sub = p.add_subparsers(dest="surnames_command", metavar="predict")
    pr = sub.add_parser("predict", help="each name's three likeliest languages under a trained run")
    pr.add_argument("--run", type=Path, required=True, help="a run file written by `surnames --out`")
    pr.add_argument("names", nargs="+", metavar="NAME")
    return p


def run(args: argparse.Namespace) -> None:
    """Train (``surnames``) or predict (``surnames predict``). Raises ValueError on bad input."""
    if getattr(args, "surnames_command", None) == "predict":
        predict(args.run, args.names)
    else:
        train(args)


def configs(args: argparse.Namespace) -> tuple[Any, Any]:
    """The model and training configs the flags describe (checked before any data is read)."""
    from lstm_core.surnames import MODELS, SEED_004, TRAIN

    model_cfg, train_cfg = SEED_004 if args.model == "seed004" else (MODELS[args.model], TRAIN)
    if args.hidden_size is not None:
        model_cfg = replace(model_cfg, hidden_size=args.hidden_size)
    given = {name: getattr(args, name) for name in _TRAIN_FLAGS if getattr(args, name, None) is not None}
    return model_cfg, replace(train_cfg, **given)


def train(args: argparse.Namespace) -> None:
    from lstm_core.cli_progress import ProgressBar
    from lstm_core.persistence import save_run
    from lstm_core.plain_data import config_fields
    from lstm_core.safe_io import atomic_write_text, check_output_paths
    from lstm_core.surnames import class_summary, load_split, names_per_second, surname_record, train_surnames

    model_cfg, train_cfg = configs(args)
    summary_path = args.summary or args.out.with_suffix(".json")
    check_output_paths({"--out": args.out, "--summary": summary_path})  # before any training
    split = load_split(seed=args.split_seed)
    info = class_summary(split)
    print(
        f"Data: {sum(info['counts'].values()):,} surnames in {len(split.languages)} languages "
        f"({info['train']:,} train / {info['val']:,} val / {info['test']:,} test); largest "
        f"{info['largest']}, smallest {info['smallest']} ({info['ratio']:.0f} to 1)",
        file=sys.stderr,
    )
    result = train_surnames(model_cfg, train_cfg, split, [] if args.no_progress else [ProgressBar()])
    record = surname_record(result, split_seed=args.split_seed)
    speed = names_per_second(result)
    m = record.metrics
    summary = {
        "model": args.model, "model_cfg": config_fields(model_cfg), "train_cfg": config_fields(train_cfg),
        "data": info, "metrics": m,
        "names_per_second": speed, "elapsed_s": result.history.elapsed,
        "epochs_run": len(result.history.epochs), "best_epoch": result.history.best_epoch,
        "stop_reason": result.history.stop_reason, "run_file": str(args.out),
    }  # fmt: skip
    text = json.dumps(summary, indent=2, allow_nan=False) + "\n"  # fails before anything is written
    print(
        f"Model:    {args.model} ({model_cfg.cell} {model_cfg.hidden_size}), {len(result.history.epochs)} "
        f"epochs in {result.history.elapsed:.1f} s, {speed:,.0f} names/s"
    )
    print(
        f"Test:     accuracy {m['accuracy']:.1%}  macro-F1 {m['macro_f1']:.3f}  "
        f"balanced accuracy {m['balanced_accuracy']:.1%}  on {info['test']:,} names"
    )
    print(
        f"Baseline: always '{info['largest']}' (majority class): accuracy {m['majority_accuracy']:.1%}, "
        f"macro-F1 {m['majority_macro_f1']:.3f}"
    )
    save_run(record, args.out)
    atomic_write_text(summary_path, text)
    print(f"Run file: {args.out}\nSummary:  {summary_path}")


def predict(run_file: Path, names: list[str]) -> None:
    """Print each name's three likeliest languages; an unreadable name raises ValueError."""
    from lstm_core.data.surnames import clean_name
    from lstm_core.persistence import load_run
    from lstm_core.surnames import load_surname_model, top_languages

    for name in names:
        clean_name(name)  # refuse bad input before loading anything
    loaded = load_surname_model(load_run(run_file))
    for name in names:
        read, top = top_languages(loaded.model, loaded.languages, name)
        shown = "  ".join(f"{language} {p:.1%}" for language, p in top)
        label = name if read == name else f"{name} (read as {read})"
        print(f"{label}: {shown}")
