"""MNIST benchmarks; prints figures, asserts nothing.

    python bench/bench_mnist.py [--repeats N] [--threads T]

1. The "Recommended" preset on the offline subset: held-out accuracy and seconds of training.
2. Seconds per epoch of seed 002's BiLSTM over 60,000 synthetic MNIST-shaped digits (full MNIST
   cannot be downloaded here; the cost of an epoch does not depend on the pixel values).
3. fit() throughput against a bare PyTorch loop of the same model, data and settings.

The machine may be shared: each timing is repeated and the best (least disturbed) run is shown.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.classification import train_classifier  # noqa: E402
from lstm_core.config import MnistDataConfig  # noqa: E402
from lstm_core.data import load_mnist  # noqa: E402
from lstm_core.mnist_presets import RECOMMENDED, SEED_002  # noqa: E402
from lstm_core.models import build_model  # noqa: E402
from lstm_core.tasks import CLASSIFICATION  # noqa: E402
from lstm_core.training import fit, seed_everything  # noqa: E402


def recommended(repeats: int) -> None:
    data = load_mnist(MnistDataConfig())
    print(f"[1] Recommended preset on the subset ({data.description})")
    m, t = RECOMMENDED.model, RECOMMENDED.train
    print(f"    model {m.cell} hidden {m.hidden_size}, {t.epochs} epochs, batch {t.batch_size}, lr {t.lr:g}")
    for r in range(repeats):
        result = train_classifier(data, RECOMMENDED.model, RECOMMENDED.train)
        h = result.history
        print(f"    run {r + 1}: test accuracy {100 * result.accuracy:.2f} % in {h.elapsed:.1f} s of "
              f"training (fitted on {result.n_train:,} digits; {result.n_val:,} validation digits "
              f"kept epoch {h.best_epoch})")


def _synthetic(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return torch.rand(n, 28, 28, generator=g), torch.randint(0, 10, (n,), generator=g)


def seed_002_epoch(repeats: int) -> None:
    x, y = _synthetic(60_000)
    cfg = replace(SEED_002.train, epochs=1)
    print("[2] Seed 002 BiLSTM (hidden 12, 2 layers, all-steps head), batch 128, one epoch of 60,000 digits")
    best = float("inf")
    for r in range(repeats):
        seed_everything(0)
        model = build_model(SEED_002.model, input_size=28, output_size=10, seq_len=28)
        h = fit(model, (x, y), None, cfg, CLASSIFICATION)
        best = min(best, h.elapsed)
        print(f"    run {r + 1}: {h.elapsed:.2f} s per epoch")
    print(f"    best: {best:.2f} s per epoch ({60_000 / best:,.0f} digits/s)")


def _bare_loop(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int, lr: float) -> float:
    """The textbook loop: shuffle, slice, forward, loss, backward, step. Returns seconds."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    start = time.perf_counter()
    perm = torch.randperm(len(x))
    xs, ys = x[perm], y[perm]
    for i in range(0, len(xs), batch_size):
        out = model(xs[i : i + batch_size])
        loss = loss_fn(out, ys[i : i + batch_size])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return time.perf_counter() - start


def throughput(repeats: int, n: int = 20_000) -> None:
    x, y = _synthetic(n)
    cfg = replace(SEED_002.train, epochs=1, grad_clip=None)  # the seed's settings: no clipping
    print(f"[3] fit() vs a bare PyTorch loop: seed 002 model, {n:,} digits, batch {cfg.batch_size}, "
          "one epoch")
    fit_best = bare_best = float("inf")
    for r in range(repeats):  # interleaved, so both see the same machine load
        seed_everything(0)
        model = build_model(SEED_002.model, input_size=28, output_size=10, seq_len=28)
        fit_s = fit(model, (x, y), None, cfg, CLASSIFICATION).elapsed
        seed_everything(0)
        bare_model = build_model(SEED_002.model, input_size=28, output_size=10, seq_len=28)
        bare_s = _bare_loop(bare_model, x, y, cfg.batch_size, cfg.lr)
        fit_best, bare_best = min(fit_best, fit_s), min(bare_best, bare_s)
        print(f"    run {r + 1}: fit {n / fit_s:,.0f} digits/s, bare loop {n / bare_s:,.0f} digits/s")
    print(f"    best: fit {n / fit_best:,.0f} digits/s, bare {n / bare_best:,.0f} digits/s -> fit reaches "
          f"{100 * bare_best / fit_best:.1f} % of the bare loop's throughput")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(),
                        help="torch intra-op threads (the page trains on 1)")
    parser.add_argument("--only", choices=["1", "2", "3"], help="run one benchmark")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s), {args.repeats} repeats\n")
    for key, bench in (("1", recommended), ("2", seed_002_epoch), ("3", throughput)):
        if args.only in (None, key):
            bench(args.repeats)
            print()


if __name__ == "__main__":
    main()
