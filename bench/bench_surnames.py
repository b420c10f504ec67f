"""Surname-language benchmark (seed 004); prints figures, asserts nothing.

    python bench/bench_surnames.py [--split-seed S] [--seed S] [--epochs E] [--hidden H] [--lr LR]
                                   [--seed-names N] [--threads T]

1. RNN, LSTM, GRU and the batched hand-written RNN with the defaults of lstm_core.surnames
   (same data, budget and seed): test accuracy, macro-F1, balanced accuracy beside the
   majority-class baseline (accuracy and macro-F1), seconds of training and training names per second.
2. Seed 004's own settings (HandRNN 128, one name per optimiser step, SGD 0.005) for
   ``--seed-names`` names: names per second beside the batched HandRNN's, and its scores.

Timings run on one thread (``--threads``); the machine may be shared, so they are noisy.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.surnames import (  # noqa: E402  # noqa: E402
    MODELS,
    SEED_004,
    TRAIN,
    class_summary,
    load_split,
    names_per_second,
    scores,
    train_surnames,
)


def _row(label: str, result, speed: float) -> str:
    s = scores(result)
    return (
        f"{label:<22}{s['accuracy']:>8.1%}{s['macro_f1']:>9.3f}{s['balanced_accuracy']:>10.1%}"
        f"{s['majority_accuracy']:>10.1%}{s['majority_macro_f1']:>8.3f}{result.history.elapsed:>8.1f}{speed:>10,.0f}"
        f"{len(result.history.epochs):>7}{result.history.best_epoch:>6}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split-seed", type=int, default=0)
    parser.add_argument("--seed", type=int, default=TRAIN.seed)
    parser.add_argument("--epochs", type=int, default=TRAIN.epochs)
    parser.add_argument("--hidden", type=int, help="override every batched model's hidden size")
    parser.add_argument("--lr", type=float, default=TRAIN.lr)
    parser.add_argument("--batch-size", type=int, default=TRAIN.batch_size)
    parser.add_argument("--models", nargs="*", default=list(MODELS))
    parser.add_argument(
        "--seed-names", type=int, default=3000, help="names the seed's preset trains on (0: skip)"
    )
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    split = load_split(seed=args.split_seed)
    info = class_summary(split)
    print(
        f"Data: {sum(info['counts'].values()):,} surnames, {len(split.languages)} languages, "
        f"{info['train']:,} train / {info['val']:,} val / {info['test']:,} test "
        f"(split seed {args.split_seed})"
    )
    print(
        f"      largest {info['largest']} {info['counts'][info['largest']]:,}, smallest {info['smallest']} "
        f"{info['counts'][info['smallest']]:,} ({info['ratio']:.0f} to 1)"
    )
    train_cfg = replace(TRAIN, epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, seed=args.seed)
    print(
        f"Batched: {train_cfg.epochs} epochs, batch {train_cfg.batch_size}, {train_cfg.optimizer} lr "
        f"{train_cfg.lr:g}, grad clip {train_cfg.grad_clip}, kept epoch = lowest validation loss; "
        f"{torch.get_num_threads()} thread(s)"
    )
    header = (
        f"{'model':<22}{'test acc':>8}{'macro-F1':>9}{'bal. acc':>10}{'majority':>10}{'maj. F1':>8}{'sec':>8}"
    )
    header += f"{'names/s':>10}"
    print(header + f"{'epochs':>7}{'best':>6}")
    for name in args.models:
        model_cfg = MODELS[name] if args.hidden is None else replace(MODELS[name], hidden_size=args.hidden)
        result = train_surnames(model_cfg, train_cfg, split)
        print(_row(f"{name} {model_cfg.hidden_size}", result, names_per_second(result)), flush=True)

    if args.seed_names:
        model_cfg, seed_cfg = SEED_004
        seed_cfg = replace(seed_cfg, max_steps=args.seed_names, seed=args.seed)
        result = train_surnames(model_cfg, seed_cfg, split)
        print(
            _row("seed004 (1 name/step)", result, names_per_second(result))
            + f"  after {args.seed_names:,} names"
        )


if __name__ == "__main__":
    main()
